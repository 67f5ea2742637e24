"""Devices in Chainer's words: ``'@numpy'``, ``'@cupy:N'``, ``CpuDevice``, ``GpuDevice``."""

from __future__ import annotations

from typing import cast

import numpy

from fchain.core import backend
from fchain.types import Array, ArrayNamespace

__all__ = [
    "CpuDevice",
    "Device",
    "GpuDevice",
    "get_array_module",
    "get_device",
    "get_device_from_array",
]


class Device:
    """Where arrays live; ``send`` moves an array there."""

    xp: ArrayNamespace
    name: str

    def send(self, array: Array) -> Array:
        raise NotImplementedError

    def use(self) -> None:
        """Make this the current device (a no-op on the CPU)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __deepcopy__(self, memo: dict[int, object]) -> Device:
        """Devices are shared, never copied (they hold the numpy or CuPy module)."""
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    def __str__(self) -> str:
        return self.name


class CpuDevice(Device):
    """numpy on the host."""

    def __init__(self) -> None:
        self.xp = backend.NUMPY
        self.name = "@numpy"

    def send(self, array: Array) -> Array:
        return backend.to_numpy(array)


class GpuDevice(Device):
    """One CUDA device through CuPy."""

    def __init__(self, device_id: int) -> None:
        cp = backend.cupy_module()
        if cp is None:
            raise RuntimeError(
                f"@cupy:{device_id}: CuPy is not installed; install fchain[cuda12] on a machine with a GPU"
            )
        self.xp = cast(ArrayNamespace, cp)
        self.device_id = int(device_id)
        self.name = f"@cupy:{self.device_id}"

    def send(self, array: Array) -> Array:
        cp = backend.cupy_module()
        assert cp is not None
        with cp.cuda.Device(self.device_id):
            return cast(Array, cp.asarray(array))

    def use(self) -> None:
        cp = backend.cupy_module()
        assert cp is not None
        cp.cuda.Device(self.device_id).use()


_CPU = CpuDevice()


def get_device(spec: object) -> Device:
    """A Device from ``'@numpy'``, ``'@cupy:N'``, ``'cuda:N'``, an int (-1 is the CPU,
    N >= 0 a GPU, as Chainer's legacy ids), ``numpy``/``cupy`` modules or a Device."""
    if isinstance(spec, Device):
        return spec
    if spec is None or spec is numpy or spec == "@numpy" or spec == "native" or spec == "cpu":
        return _CPU
    if isinstance(spec, bool):
        raise ValueError(f"get_device: invalid device specifier {spec!r}")
    if isinstance(spec, int):
        return _CPU if spec < 0 else GpuDevice(spec)
    if isinstance(spec, str):
        for prefix in ("@cupy:", "cuda:", "gpu:"):
            if spec.startswith(prefix) and spec[len(prefix):].isdigit():
                return GpuDevice(int(spec[len(prefix):]))
        if spec in ("@cupy", "cuda", "gpu"):
            return GpuDevice(0)
    if spec is backend.cupy_module():
        return GpuDevice(0)
    raise ValueError(
        f"get_device: invalid device specifier {spec!r}; use '@numpy', '@cupy:N' or an int"
    )


def get_device_from_array(array: object) -> Device:
    """The Device that holds ``array`` (the CPU for anything that is not a CuPy array)."""
    if backend.is_cupy_array(array):
        return GpuDevice(int(getattr(getattr(array, "device", None), "id", 0)))
    return _CPU


def get_array_module(*args: object) -> ArrayNamespace:
    """``cupy`` if any argument (array or Variable) lives on a GPU, else ``numpy``."""
    for a in args:
        data = getattr(a, "_data", a)
        if backend.is_cupy_array(data):
            return backend.namespace_of(cast(Array, data))
    return backend.NUMPY


class _UsingDevice:
    """Context manager of ``using_device``: makes a device current, then restores."""

    def __init__(self, device: Device) -> None:
        self._device = device
        self._previous: object = None

    def __enter__(self) -> Device:
        cp = backend.cupy_module()
        if isinstance(self._device, GpuDevice) and cp is not None:
            self._previous = cp.cuda.Device()
            self._device.use()
        return self._device

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            self._previous.use()  # type: ignore[attr-defined]  # a cupy.cuda.Device


def using_device(spec: object) -> _UsingDevice:
    """``with using_device('@cupy:1'):`` runs the block with that GPU current."""
    return _UsingDevice(get_device(spec))


def copyto(dst: Array, src: Array) -> None:
    """Copy ``src`` into ``dst`` in place, across devices."""
    dst[...] = get_device_from_array(dst).send(src)

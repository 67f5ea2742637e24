"""Devices in Chainer's words: ``'@numpy'``, ``'@cupy:N'``, ``CpuDevice``, ``GpuDevice``,
and ``get_device``, which reads every device specifier Chainer 7 code passes."""

from __future__ import annotations

from types import ModuleType
from typing import cast

import numpy

from fchain.array_module import ArrayModule
from fchain.core import backend
from fchain.errors import DeviceSpecError
from fchain.types import Array

__all__ = [
    "ChainerxDevice",
    "CpuDevice",
    "Device",
    "GpuDevice",
    "Intel64Device",
    "copyto",
    "get_array_module",
    "get_device",
    "get_device_from_array",
    "using_device",
]


class Device:
    """Where arrays live; ``send`` moves an array there."""

    xp: ArrayModule
    """``numpy`` or ``cupy``, typed as ``fchain.backend.ArrayModule``."""
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

    xp: ArrayModule
    name: str

    def __init__(self) -> None:
        self.xp = backend.NUMPY_MODULE
        self.name = "@numpy"

    def send(self, array: Array) -> Array:
        return backend.to_numpy(array)


class GpuDevice(Device):
    """One CUDA device through CuPy."""

    xp: ArrayModule
    name: str
    device_id: int

    def __init__(self, device_id: int) -> None:
        cp = backend.cupy_module()
        if cp is None:
            raise RuntimeError(
                f"@cupy:{device_id}: CuPy is not installed; install fchain[cuda12] on a machine with a GPU"
            )
        self.xp = cast(ArrayModule, cp)
        self.device_id = int(device_id)
        self.name = f"@cupy:{self.device_id}"

    @staticmethod
    def from_device_id(device_id: int) -> GpuDevice:
        """CUDA device ``device_id`` (>= 0), as Chainer's ``GpuDevice.from_device_id``."""
        if isinstance(device_id, bool) or not isinstance(device_id, (int, numpy.integer)) or device_id < 0:
            raise DeviceSpecError(f"GpuDevice.from_device_id: a CUDA device id must be an int >= 0, "
                                  f"got {device_id!r}")
        return GpuDevice(int(device_id))

    def send(self, array: Array) -> Array:
        cp = backend.cupy_module()
        assert cp is not None
        with cp.cuda.Device(self.device_id):
            return cast(Array, cp.asarray(array))

    def use(self) -> None:
        cp = backend.cupy_module()
        assert cp is not None
        cp.cuda.Device(self.device_id).use()


class ChainerxDevice(Device):
    """Chainer's ChainerX device type.  fchain has no ChainerX, so no device is one:
    Chainer code's ``isinstance(device, backend.ChainerxDevice)`` is simply false
    (and ``'native'``/``'cuda:N'`` give fchain's CPU and CuPy devices instead)."""

    def __init__(self) -> None:
        raise RuntimeError("ChainerxDevice: fchain has no ChainerX; use '@numpy' or '@cupy:N'")


class Intel64Device(Device):
    """Chainer's iDeep device type.  fchain has no iDeep, so no device is one;
    ``get_device('@intel64')`` gives the numpy CPU device (the same arrays, without
    iDeep's kernels)."""

    def __init__(self) -> None:
        raise RuntimeError("Intel64Device: fchain has no iDeep; use '@numpy'")


_CPU = CpuDevice()

# Strings naming the CPU: numpy's, iDeep's (numpy arrays, here without iDeep) and
# ChainerX's native device (fchain has no ChainerX; its arrays would be numpy's).
_CPU_NAMES = frozenset({"@numpy", "@intel64", "native", "native:0", "cpu"})
# Prefixes of ``<prefix>N`` naming CUDA device N: CuPy's, ChainerX's and a plain one.
_GPU_PREFIXES = ("@cupy:", "cuda:", "gpu:")


def _invalid(spec: object, hint: str = "") -> DeviceSpecError:
    return DeviceSpecError(
        f"get_device: invalid device specifier {spec!r}; use '@numpy', '@cupy:N', an int "
        f"(negative: the CPU, N >= 0: GPU N) or a Device{hint}")


def _from_id(device_id: int) -> Device:
    """Chainer's legacy integer ids: negative is the CPU, N >= 0 is CUDA device N."""
    return _CPU if device_id < 0 else GpuDevice(device_id)


def _is_index(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _from_string(spec: str) -> Device:
    try:
        legacy = int(spec)  # '-1', '0', '1', ...: what argparse gives for ``--device``
    except ValueError:
        pass
    else:
        return _from_id(legacy)
    if spec in _CPU_NAMES:
        return _CPU
    for prefix in _GPU_PREFIXES:
        if spec.startswith(prefix) and _is_index(spec[len(prefix):]):
            return GpuDevice(int(spec[len(prefix):]))
    if spec in ("@cupy", "cuda", "gpu"):
        return GpuDevice(0)
    if spec.startswith("@"):
        raise _invalid(spec, "; after '@' come numpy, cupy:N or intel64")
    raise _invalid(spec, "; specifiers without '@' are ChainerX's, which fchain does not have "
                         "(it reads 'native' as '@numpy' and 'cuda:N' as '@cupy:N')")


def _is_cupy(module: object) -> bool:
    """Whether ``module`` is the ``cupy`` module (told by name: no import needed)."""
    return isinstance(module, ModuleType) and module.__name__ == "cupy"


def _from_tuple(spec: tuple[object, ...]) -> Device:
    """Chainer 6's pre-release pairs, still in Chainer 7's ``DeviceSpec`` type:
    ``(cupy, N)``, and ChainerX's ``('native', 0)`` and ``('cuda', N)``."""
    if len(spec) == 2 and isinstance(spec[1], (int, numpy.integer)) and not isinstance(spec[1], bool):
        backend_name, index = spec[0], int(spec[1])
        if backend_name == "native" and index == 0:
            return _CPU
        if (backend_name == "cuda" or _is_cupy(backend_name)) and index >= 0:
            return GpuDevice(index)
    raise _invalid(spec)


def get_device(spec: object) -> Device:
    """The Device that ``spec`` names, as Chainer's ``get_device`` reads it.

    * a ``Device``: itself;
    * the CPU: ``'@numpy'``, a negative int or its string (``-1``, ``'-1'``: the
      legacy ids of Chainer's ``--device``/``--gpu`` options), ``None``, the
      ``numpy`` module; ``'@intel64'``, ``'native'``, ``'native:0'`` and
      ``('native', 0)`` too (iDeep's and ChainerX's CPU; fchain has neither);
    * CUDA device N through CuPy: ``'@cupy:N'``, an int N >= 0 or its string
      (``0``, ``'0'``), a ``cupy.cuda.Device``, ``(cupy, N)``; ChainerX's
      ``'cuda:N'`` and ``('cuda', N)`` too; ``'@cupy'``, ``'cuda'`` and the
      ``cupy`` module mean device 0.  Without CuPy these raise ``RuntimeError``
      saying so.

    Anything else raises ``DeviceSpecError`` (a ``ValueError`` and a
    ``TypeError``) naming it.  Booleans are refused rather than read as 0 and 1.
    """
    if isinstance(spec, Device):
        return spec
    if spec is None or spec is numpy:
        return _CPU
    if isinstance(spec, bool):  # an int to Python, but never meant as a device
        raise _invalid(spec)
    if isinstance(spec, (int, numpy.integer)):
        return _from_id(int(spec))
    if isinstance(spec, str):
        return _from_string(spec)
    if isinstance(spec, tuple):
        return _from_tuple(spec)
    if _is_cupy(spec):
        return GpuDevice(0)
    cp = backend.cupy_module()
    if cp is not None and isinstance(spec, cp.cuda.Device):
        return GpuDevice(int(spec.id))
    raise _invalid(spec)


def get_device_from_array(*arrays: object) -> Device:
    """The Device that holds the first CuPy array among ``arrays``; the CPU when there
    is none (numpy arrays, and anything that is not an array).  As in Chainer, a
    Variable is not looked into: pass ``v.array``."""
    for array in arrays:
        if backend.is_cupy_array(array):
            return GpuDevice(int(getattr(getattr(array, "device", None), "id", 0)))
    return _CPU


def get_array_module(*args: object) -> ArrayModule:
    """``cupy`` if any argument (array or Variable) lives on a GPU, else ``numpy``."""
    for a in args:
        data = getattr(a, "_data", a)
        if backend.is_cupy_array(data):
            return backend.module_of(cast(Array, data))
    return backend.NUMPY_MODULE


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

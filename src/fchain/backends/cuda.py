"""``fchain.backends.cuda`` (Chainer's ``chainer.backends.cuda``, also ``fchain.cuda``):
the CuPy helpers Chainer programs call.

Everything imports and works without CuPy: ``cupy`` is then ``None``,
``available`` is false, ``ndarray`` is a class no array belongs to (so
``isinstance(x, cuda.ndarray)`` is simply false), and the calls that need a GPU
raise ``RuntimeError`` saying so.  ``cupy``, ``ndarray`` and ``available`` are
looked up on first use, not when fchain is imported: importing CuPy takes most
of a second.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, overload

import numpy

from fchain.core import backend as _backend
from fchain.graph.device import GpuDevice as GpuDevice
from fchain.graph.device import get_array_module as get_array_module
from fchain.graph.device import get_device as _get_device
from fchain.types import Array

__all__ = [
    "DummyDevice",
    "DummyDeviceType",
    "GpuDevice",
    "available",
    "check_cuda_available",
    "cupy",
    "get_array_module",
    "get_device_from_array",
    "get_device_from_id",
    "ndarray",
    "to_cpu",
    "to_gpu",
]

# Resolved by ``__getattr__`` below on first use.
available: bool
"""Whether CuPy is installed and sees a CUDA device."""
cupy: ModuleType | None
"""The ``cupy`` module, or ``None`` without CuPy (so ``xp is cuda.cupy`` is false)."""
ndarray: type
"""``cupy.ndarray``, or without CuPy a class that no array is an instance of."""


class _NoCupyArray:
    """Stands in for ``cupy.ndarray`` where CuPy is missing; never instantiated."""

    def __init__(self) -> None:
        raise RuntimeError("cupy.ndarray: CuPy is not installed")


# Hidden from mypy (which would type every unknown attribute as ``object``); the
# annotations above give these names their types.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name == "available":
            return _backend.gpu_available()
        if name == "cupy":
            return _backend.cupy_module()
        if name == "ndarray":
            cp = _backend.cupy_module()
            return _NoCupyArray if cp is None else cp.ndarray
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_cuda_available() -> None:
    """Raise ``RuntimeError`` with install advice when no GPU can be used."""
    if not _backend.gpu_available():
        raise RuntimeError(
            "CUDA environment is not correctly set up: install fchain[cuda12] "
            "(CuPy) on a machine with an NVIDIA GPU")


class DummyDeviceType:
    """Chainer's ``cuda.DummyDevice``: the "no GPU" device, with ``cupy.cuda.Device``'s
    interface doing nothing (``id`` is -1; ``with`` and ``use()`` change nothing)."""

    id = -1

    def __int__(self) -> int:
        return -1

    def __enter__(self) -> DummyDeviceType:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def use(self) -> None:
        """Nothing to make current."""

    def synchronize(self) -> None:
        """Nothing to wait for."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DummyDeviceType)

    def __hash__(self) -> int:
        return hash(DummyDeviceType)

    def __repr__(self) -> str:
        return "DummyDevice"


DummyDevice: DummyDeviceType = DummyDeviceType()


def get_device_from_id(device_id: int | None) -> GpuDevice | DummyDeviceType:
    """CUDA device ``device_id`` (``RuntimeError`` without a GPU); ``DummyDevice`` for
    ``None`` or a negative id, as Chainer's (so ``get_device_from_id(args.gpu).use()``
    does nothing on the CPU)."""
    if device_id is None or int(device_id) < 0:
        return DummyDevice
    check_cuda_available()
    return GpuDevice(int(device_id))


def get_device_from_array(*arrays: object) -> GpuDevice | DummyDeviceType:
    """The CUDA device of the first CuPy array among ``arrays``, else ``DummyDevice``."""
    for array in arrays:
        if _backend.is_cupy_array(array):
            return GpuDevice(int(getattr(getattr(array, "device", None), "id", 0)))
    return DummyDevice


def _target(device: object) -> GpuDevice:
    """The GPU that ``to_gpu``'s ``device`` names: the current one for ``None`` or
    ``DummyDevice``, an id >= 0, a ``GpuDevice`` or a ``cupy.cuda.Device``."""
    if device is None or isinstance(device, DummyDeviceType):
        cp = _backend.cupy_module()
        assert cp is not None  # check_cuda_available passed
        return GpuDevice(int(cp.cuda.Device().id))
    if isinstance(device, (int, numpy.integer)) and not isinstance(device, bool) and device < 0:
        raise ValueError(f"to_gpu: invalid CUDA device specifier {device!r} (a CPU id)")
    target = _get_device(device)
    if not isinstance(target, GpuDevice):
        raise ValueError(f"to_gpu: {device!r} is not a CUDA device")
    return target


def _convert(array: object, convert: Callable[[object], Array]) -> object:
    """``convert`` applied to an array, or to each element of a list or tuple (each
    distinct object once; ``None`` kept), as Chainer's transfer functions do."""
    if isinstance(array, (list, tuple)):
        done: dict[int, object] = {}
        out: list[object] = []
        for item in array:
            if item is None:
                out.append(None)
                continue
            if id(item) not in done:
                done[id(item)] = convert(item)
            out.append(done[id(item)])
        return type(array)(out)
    return None if array is None else convert(array)


def _array_to_gpu(array: object, device: GpuDevice) -> Array:
    if isinstance(array, (numpy.number, numpy.bool_)):
        array = numpy.asarray(array)
    if _backend.is_cupy_array(array):
        if int(getattr(getattr(array, "device", None), "id", -1)) == device.device_id:
            return array  # type: ignore[return-value]  # a cupy.ndarray stands in for an Array
        return device.send(array)  # type: ignore[arg-type]  # a cupy.ndarray, copied across GPUs
    if isinstance(array, numpy.ndarray):
        return device.send(array)
    raise TypeError(f"to_gpu: expected a numpy or CuPy array or a numpy scalar, got {type(array).__name__}")


def _array_to_cpu(array: object) -> Array:
    if isinstance(array, numpy.ndarray):
        return array
    if isinstance(array, (numpy.number, numpy.bool_)):
        return numpy.asarray(array)
    if _backend.is_cupy_array(array):
        return _backend.to_numpy(array)  # type: ignore[arg-type]  # a cupy.ndarray
    raise TypeError(f"to_cpu: expected a numpy or CuPy array or a numpy scalar, got {type(array).__name__}")


@overload
def to_gpu(array: None, device: object = None) -> None: ...
@overload
def to_gpu(array: Array | numpy.generic, device: object = None) -> Array: ...
# Any: the elements of a list of arrays, numpy scalars or None (a list is invariant,
# so no narrower element type takes every such list).
@overload
def to_gpu(array: list[Any], device: object = None) -> list[Array | None]: ...
@overload
def to_gpu(array: tuple[Array | numpy.generic | None, ...], device: object = None) -> tuple[Array | None, ...]: ...


def to_gpu(array: object, device: object = None) -> object:
    """``array`` (an array, a numpy scalar, ``None``, or a list or tuple of them) on
    GPU ``device``: an id >= 0, a ``GpuDevice``, a ``cupy.cuda.Device``, or ``None``
    for the current one.  Arrays already there are returned as they are; others
    are copied.  ``RuntimeError`` without a GPU."""
    check_cuda_available()
    target = _target(device)
    return _convert(array, lambda a: _array_to_gpu(a, target))


@overload
def to_cpu(array: None) -> None: ...
@overload
def to_cpu(array: Array | numpy.generic) -> Array: ...
# Any: as for to_gpu.
@overload
def to_cpu(array: list[Any]) -> list[Array | None]: ...
@overload
def to_cpu(array: tuple[Array | numpy.generic | None, ...]) -> tuple[Array | None, ...]: ...


def to_cpu(array: object) -> object:
    """``array`` (an array, a numpy scalar, ``None``, or a list or tuple of them) as
    numpy arrays: GPU arrays are copied to the host, numpy arrays returned as they are."""
    return _convert(array, _array_to_cpu)

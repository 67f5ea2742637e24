"""``fchain.cuda`` (Chainer's ``chainer.cuda`` / ``chainer.backends.cuda``): the
CuPy helpers Chainer programs call.  Everything works without CuPy; functions
that need a GPU raise a clear error there."""

from __future__ import annotations

from fchain.core import backend as _backend
from fchain.graph.device import GpuDevice, get_array_module, get_device, get_device_from_array
from fchain.types import Array

__all__ = [
    "available",
    "check_cuda_available",
    "get_array_module",
    "get_device_from_array",
    "get_device_from_id",
    "to_cpu",
    "to_gpu",
]

available: bool = _backend.gpu_available()
"""True when CuPy is installed and sees a CUDA device."""


def check_cuda_available() -> None:
    """Raise ``RuntimeError`` with install advice when no GPU can be used."""
    if not _backend.gpu_available():
        raise RuntimeError(
            "CUDA environment is not correctly set up: install fchain[cuda12] "
            "(CuPy) on a machine with an NVIDIA GPU")


def get_device_from_id(device_id: int | None) -> GpuDevice:
    """The GPU with this id (0 when ``None``)."""
    return GpuDevice(0 if device_id is None else int(device_id))


def to_gpu(array: Array, device: int | None = None) -> Array:
    """A copy of ``array`` on GPU ``device`` (the current one when ``None``)."""
    check_cuda_available()
    return GpuDevice(0 if device is None else int(device)).send(array)


def to_cpu(array: Array) -> Array:
    """``array`` as a numpy array (a copy from the GPU, or itself)."""
    return get_device("@numpy").send(array)

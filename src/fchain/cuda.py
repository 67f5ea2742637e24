"""``fchain.cuda``: Chainer's old name of ``fchain.backends.cuda`` (``chainer.cuda``).

The same functions and classes; ``cupy``, ``ndarray`` and ``available`` are read
from ``fchain.backends.cuda`` on first use, as there.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from fchain.backends import cuda as _cuda
from fchain.backends.cuda import DummyDevice as DummyDevice
from fchain.backends.cuda import DummyDeviceType as DummyDeviceType
from fchain.backends.cuda import GpuDevice as GpuDevice
from fchain.backends.cuda import check_cuda_available as check_cuda_available
from fchain.backends.cuda import get_array_module as get_array_module
from fchain.backends.cuda import get_device_from_array as get_device_from_array
from fchain.backends.cuda import get_device_from_id as get_device_from_id
from fchain.backends.cuda import to_cpu as to_cpu
from fchain.backends.cuda import to_gpu as to_gpu

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

available: bool
"""Whether CuPy is installed and sees a CUDA device."""
cupy: ModuleType | None
"""The ``cupy`` module, or ``None`` without CuPy."""
ndarray: type
"""``cupy.ndarray``, or without CuPy a class that no array is an instance of."""


# Hidden from mypy (which would type every unknown attribute as ``object``); the
# annotations above give these names their types.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name in ("available", "cupy", "ndarray"):
            return getattr(_cuda, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Whether NCCL can be used here, without loading MPI: the multiprocess updater and
the tests ask this in processes that are not MPI ranks (importing ``mpi4py.MPI``
initializes MPI, and mpi4py may not be installed at all)."""

from __future__ import annotations

import importlib
from types import ModuleType

from fchain.core import backend

__all__ = ["nccl_module", "nccl_unavailable_reason"]


def nccl_module() -> ModuleType | None:
    """CuPy's ``cupy.cuda.nccl``, or ``None`` where CuPy or its NCCL is missing."""
    if backend.cupy_module() is None:
        return None
    try:
        return importlib.import_module("cupy.cuda.nccl")
    except Exception:  # ImportError, or CuPy built without NCCL
        return None


def nccl_unavailable_reason() -> str | None:
    """Why NCCL cannot be used here, or ``None`` when it can."""
    if backend.cupy_module() is None:
        return "CuPy is not installed (pip install 'fchain[cuda12]')"
    if not backend.gpu_available():
        return "CuPy sees no CUDA device"
    if nccl_module() is None:
        return "CuPy's cupy.cuda.nccl cannot be imported (CuPy was built without NCCL)"
    return None

"""Tests that need CuPy and a CUDA device.

Every test here is marked ``gpu`` and skipped with ``tests.conftest.GPU_SKIP_REASON``
where CuPy or a device is missing; run them with ``bash scripts/gpu_check.sh``.
``cupy`` below is the real module on a GPU machine and ``None`` elsewhere; mypy
checks its uses against the local stubs in ``stubs/cupy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fchain.core.backend import cupy_module

if TYPE_CHECKING:
    import cupy as cupy
else:
    cupy = cupy_module()

__all__ = ["cupy"]

"""Tests that need CuPy and a CUDA device.

Every GPU test here is marked ``gpu`` and skipped with
``tests.conftest.GPU_SKIP_REASON`` where CuPy or a device is missing; run them with
``bash scripts/gpu_check.sh``.  ``cupy`` below is the real module on a GPU machine
and ``None`` elsewhere; mypy checks its uses against the local stubs in
``stubs/cupy``.

``TARGETS`` parametrizes the device-generic comparisons (GPU result against the
CPU result).  Its ``cpu-dry-run`` case runs the same test with ``'@numpy'`` as the
target: a CPU-against-CPU comparison that proves little about numbers but runs
every line of the test on every CI run, so the one run on a lent GPU machine is not
spent discovering a broken test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from fchain.core.backend import cupy_module
from tests.conftest import requires_gpu

if TYPE_CHECKING:
    import cupy as cupy
else:
    cupy = cupy_module()

__all__ = ["TARGETS", "cupy"]

TARGETS = [
    pytest.param("@numpy", id="cpu-dry-run"),
    pytest.param("@cupy:0", id="gpu", marks=[pytest.mark.gpu, requires_gpu]),
]

"""``attr.gpu``, ``attr.multi_gpu(n)`` and ``attr.slow``: Chainer's test marks.

They are pytest marks (this module needs pytest).  A test marked ``gpu`` is skipped
with a reason where CuPy sees no CUDA device (``multi_gpu(n)``: fewer than ``n``),
whether or not the fchain pytest plugin is loaded; the plugin does the same for
``@pytest.mark.gpu`` and, with ``--fchain-skip-slow``, skips tests marked ``slow``.
``CHAINER_TEST_GPU_LIMIT``, as in Chainer, caps the GPUs a test may ask for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest

from fchain.testing.devices import GPU_SKIP_REASON, gpu_count

__all__ = ["gpu", "multi_gpu", "slow"]

T = TypeVar("T", bound=Callable[..., object])


def gpu_limit() -> int:
    """``CHAINER_TEST_GPU_LIMIT`` (-1, no limit, when unset)."""
    return int(os.environ.get("CHAINER_TEST_GPU_LIMIT", "-1"))


def gpu_skip_reason(needed: int) -> str | None:
    """Why a test needing ``needed`` GPUs cannot run here, or ``None``."""
    limit = gpu_limit()
    if 0 <= limit < needed:
        return f"{needed} GPUs required, CHAINER_TEST_GPU_LIMIT is {limit}"
    have = gpu_count()
    if have == 0:
        return GPU_SKIP_REASON
    if have < needed:
        return f"{needed} GPUs required, CuPy sees {have}"
    return None


def multi_gpu(gpu_num: int) -> Callable[[T], T]:
    """Mark a test (function or class) as needing ``gpu_num`` GPUs."""
    def decorate(f: T) -> T:
        marked: T = pytest.mark.gpu(gpu_num)(f)
        reason = gpu_skip_reason(gpu_num)
        return pytest.mark.skip(reason=reason)(marked) if reason is not None else marked
    return decorate


def gpu(f: T) -> T:
    """Mark ``f`` (a test function or class) as needing one GPU."""
    return multi_gpu(1)(f)


def slow(f: T) -> T:
    """Mark ``f`` as slow (run unless ``-m 'not slow'`` or ``--fchain-skip-slow``)."""
    marked: T = pytest.mark.slow(f)
    return marked

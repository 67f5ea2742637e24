"""``left @ right`` for a ``left`` of few rows and a long inner dimension, computed
where OpenBLAS needs no packing.

OpenBLAS computes a GEMM of at most 10^6 multiply-adds in the plain row-major
layout (both operands C-ordered) with its small-matrix kernels, which read the
operands where they are (on AVX-512 cores); a larger product first packs the
whole right factor into blocks.  A recurrent step's input gradient, ``gy (20,
800) @ W (800, 200)``, is such a product, and the packing is about a fifth of its
time.  Summed over chunks of the inner dimension, each small enough for those
kernels, the same product was measured at 0.75-0.87x the time (numpy 2.4's
OpenBLAS 0.3.31, one thread, float32 and float64; 8-32 rows, inner 400-2000,
64-500 columns; `benchmarks/rnn.py`'s two per-step input gradients).  From 48 rows
on, or with chunks below about 100, the split loses, and where the small kernels
are absent it would only add calls: ``split_inner`` says no there.

The chunks' partial products are added in order, so the result is the plain
product up to float32 (float64) reassociation, like any blocked GEMM's.
"""

from __future__ import annotations

import os

import numpy

from fchain.types import Array

__all__ = ["MAX_ROWS", "MAX_SMALL_WORK", "MIN_CHUNK", "ONE_BLAS_THREAD", "SMALL_KERNELS", "matmul",
           "matmul_transposed", "split_inner", "split_outer"]

MAX_ROWS = 32
"""The most rows of ``left`` for which the split paid (48 rows: 1.07-1.2x slower)."""

MAX_SMALL_WORK = 1_000_000
"""OpenBLAS's bound on ``rows * inner * columns`` for its small-matrix kernels."""

MIN_CHUNK = 96
"""Chunks of the inner dimension below this cost more calls than the packing saves."""

MAX_CHUNK = 128
"""The largest chunk of the inner dimension (larger ones measured slower)."""

MAX_ROW_CHUNK = 250
"""The largest chunk of ``W``'s rows in ``matmul_transposed`` (measured best at
250 for 20 rows of 200 features)."""


def _small_kernels() -> bool:
    """Whether numpy's BLAS is OpenBLAS on a core with AVX-512 (where its
    small-matrix kernels exist)."""
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except (KeyError, TypeError, ValueError):
        return False
    if "openblas" not in str(blas).lower():
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return any(line.startswith("flags") and " avx512f" in line for line in info)
    except OSError:
        return False


SMALL_KERNELS = _small_kernels()
"""Whether the split is used at all on this machine (read once, at import)."""


def _blas_threads() -> int:
    """The threads OpenBLAS starts with: the first of its environment variables
    that holds a positive number, else the CPUs this process may run on."""
    for name in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


ONE_BLAS_THREAD = _blas_threads() == 1
"""Whether OpenBLAS runs one thread (read once, at import, as OpenBLAS itself
does).  The forward's product is split only then: with two threads OpenBLAS
computes the whole of ``(W x^T)^T`` on both (44 us for 20 x 200 by 800 x 200,
measured) while the small kernels run on one (60 us).  The backward's products
are split either way: OpenBLAS gives them one thread at these sizes."""


def _takes(few: Array, weight: Array) -> bool:
    """What both splits need: the small kernels, numpy arrays of one dtype, float32
    or float64, at most ``MAX_ROWS`` rows in ``few`` and a C-ordered ``weight``."""
    return (SMALL_KERNELS and type(few) is numpy.ndarray and type(weight) is numpy.ndarray
            and int(few.shape[0]) <= MAX_ROWS and few.dtype == weight.dtype and few.dtype.char in "fd"
            and bool(weight.flags.c_contiguous))


def split_inner(left: Array, right: Array) -> int:
    """The chunk of the inner dimension to split ``left @ right`` into, or 0 for
    the plain product: numpy arrays of float32 or float64, ``right`` C-ordered and
    ``left`` row-major, few rows, and an inner dimension of at least two chunks."""
    rows, inner = int(left.shape[0]), int(left.shape[1])
    if not _takes(left, right) or left.strides[1] != left.itemsize:
        return 0
    chunk = min(MAX_CHUNK, MAX_SMALL_WORK // max(rows * int(right.shape[1]), 1))
    return chunk if chunk >= MIN_CHUNK and inner >= 2 * chunk else 0


def split_outer(x: Array, W: Array) -> int:
    """The chunk of ``W``'s rows to split ``x @ W.T`` into, or 0 for the plain
    product: one BLAS thread, numpy arrays of float32 or float64, ``W`` C-ordered,
    ``x`` of few rows, and ``W`` of at least two chunks of rows."""
    if not ONE_BLAS_THREAD or not _takes(x, W):
        return 0
    chunk = min(MAX_ROW_CHUNK, MAX_SMALL_WORK // max(int(x.shape[0]) * int(x.shape[1]), 1))
    return chunk if chunk >= MIN_CHUNK and int(W.shape[0]) >= 2 * chunk else 0


def matmul_transposed(x: Array, W: Array) -> Array:
    """``x @ W.T`` (2-d), C-ordered, for a layer's forward with few rows: where
    ``split_outer`` finds a chunk, ``W @ x^T`` in chunks of ``W``'s rows with ``x^T``
    copied to C order (the plain row-major layout the small kernels take: measured
    0.85-0.88x the time of ``(W x^T)^T`` for 20 rows of 200 features and 800-1000
    outputs), else ``(W @ x.T).T`` copied to C order.  A new array."""
    chunk = split_outer(x, W)
    if not chunk:
        return (W @ x.T).T.copy()
    x_t = x.T.copy()
    y_t = numpy.empty((W.shape[0], x.shape[0]), dtype=x.dtype)
    for start in range(0, W.shape[0], chunk):
        numpy.matmul(W[start:start + chunk], x_t, out=y_t[start:start + chunk])
    return y_t.T.copy()


def matmul(left: Array, right: Array) -> Array:
    """``left @ right`` (2-d), as a sum over chunks of the inner dimension where
    ``split_inner`` finds one, else the plain product.  A new array."""
    chunk = split_inner(left, right)
    if not chunk:
        return left @ right
    total = left[:, :chunk] @ right[:chunk]
    for start in range(chunk, left.shape[1], chunk):
        total += left[:, start:start + chunk] @ right[start:start + chunk]
    return total

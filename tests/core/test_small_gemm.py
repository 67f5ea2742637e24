"""``core.small_gemm``: few-row products split along the inner dimension where
OpenBLAS's small-matrix kernels take the chunks.  Whether the split is used
depends on the machine (``SMALL_KERNELS``); the tests force it either way, since
the arithmetic must hold everywhere."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fchain.core import small_gemm


@pytest.fixture
def split_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(small_gemm, "SMALL_KERNELS", True)
    monkeypatch.setattr(small_gemm, "ONE_BLAS_THREAD", True)


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 40), inner=st.integers(1, 700), columns=st.integers(1, 300),
       dtype=st.sampled_from(["float32", "float64"]), seed=st.integers(0, 2**16))
def test_the_split_product_is_the_product(rows: int, inner: int, columns: int, dtype: str, seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    left = rng.standard_normal((rows, inner)).astype(dtype)
    right = rng.standard_normal((inner, columns)).astype(dtype)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(small_gemm, "SMALL_KERNELS", True)
        got = small_gemm.matmul(left, right)
    assert got.dtype == left.dtype and got.shape == (rows, columns)
    exact = left.astype(numpy.float64) @ right.astype(numpy.float64)
    scale = numpy.abs(left).astype(numpy.float64) @ numpy.abs(right).astype(numpy.float64)
    eps = numpy.finfo(dtype).eps
    assert numpy.all(numpy.abs(got - exact) <= 2 * inner * eps * scale + 1e-30)


def test_a_recurrent_steps_gradient_is_split_in_chunks_the_small_kernels_take(split_on: None) -> None:
    left = numpy.ones((20, 800), numpy.float32)
    right = numpy.ones((800, 200), numpy.float32)
    chunk = small_gemm.split_inner(left, right)
    assert small_gemm.MIN_CHUNK <= chunk and 20 * chunk * 200 <= small_gemm.MAX_SMALL_WORK
    numpy.testing.assert_array_equal(small_gemm.matmul(left, right), left @ right)  # integers: exact


@pytest.mark.parametrize("case", [
    "many rows", "short inner", "wide result", "integers", "mixed dtypes", "right not C-ordered",
    "left columns strided",
])
def test_the_plain_product_where_the_split_would_not_pay_or_apply(split_on: None, case: str) -> None:
    rows, inner, columns = 20, 800, 200
    left_dtype: type[numpy.generic] = numpy.float32
    right_dtype: type[numpy.generic] = numpy.float32
    if case == "many rows":
        rows = small_gemm.MAX_ROWS + 1
    elif case == "short inner":
        inner = 150
    elif case == "wide result":
        columns = 1000
    elif case == "integers":
        left_dtype = right_dtype = numpy.int64
    elif case == "mixed dtypes":
        right_dtype = numpy.float64
    left = numpy.ones((rows, inner), left_dtype)
    right = numpy.ones((inner, columns), right_dtype)
    if case == "right not C-ordered":
        right = numpy.asfortranarray(right)
    if case == "left columns strided":
        left = numpy.ones((rows, 2 * inner), left_dtype)[:, ::2]
    assert small_gemm.split_inner(left, right) == 0
    numpy.testing.assert_array_equal(small_gemm.matmul(left, right), left @ right)


def test_without_the_small_kernels_nothing_is_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(small_gemm, "SMALL_KERNELS", False)
    assert small_gemm.split_inner(numpy.ones((20, 800), numpy.float32), numpy.ones((800, 200), numpy.float32)) == 0


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 40), inner=st.integers(1, 300), outputs=st.integers(1, 1200),
       dtype=st.sampled_from(["float32", "float64"]), seed=st.integers(0, 2**16))
def test_the_split_transposed_product_is_the_product(rows: int, inner: int, outputs: int, dtype: str,
                                                     seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((rows, inner)).astype(dtype)
    W = rng.standard_normal((outputs, inner)).astype(dtype)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(small_gemm, "SMALL_KERNELS", True)
        patch.setattr(small_gemm, "ONE_BLAS_THREAD", True)
        got = small_gemm.matmul_transposed(x, W)
    assert got.dtype == x.dtype and got.shape == (rows, outputs) and got.flags.c_contiguous
    exact = x.astype(numpy.float64) @ W.T.astype(numpy.float64)
    scale = numpy.abs(x).astype(numpy.float64) @ numpy.abs(W.T).astype(numpy.float64)
    assert numpy.all(numpy.abs(got - exact) <= 2 * inner * numpy.finfo(dtype).eps * scale + 1e-30)


def test_a_layers_forward_is_split_in_row_chunks_the_small_kernels_take(split_on: None) -> None:
    x = numpy.ones((20, 200), numpy.float32)
    W = numpy.ones((800, 200), numpy.float32)
    chunk = small_gemm.split_outer(x, W)
    assert small_gemm.MIN_CHUNK <= chunk and chunk * 200 * 20 <= small_gemm.MAX_SMALL_WORK and 800 >= 2 * chunk
    numpy.testing.assert_array_equal(small_gemm.matmul_transposed(x, W), x @ W.T)  # integers: exact
    assert small_gemm.split_outer(numpy.ones((small_gemm.MAX_ROWS + 1, 200), numpy.float32), W) == 0
    assert small_gemm.split_outer(x, numpy.ones((300, 200), numpy.float32)) == 0  # one chunk
    assert small_gemm.split_outer(x, numpy.asfortranarray(W)) == 0
    assert small_gemm.split_outer(x.astype(numpy.float64), W) == 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(small_gemm, "ONE_BLAS_THREAD", False)  # OpenBLAS would use its threads on the whole
        assert small_gemm.split_outer(x, W) == 0


def test_the_blas_thread_count_is_read_as_openblas_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert small_gemm._blas_threads() == 5
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # OpenBLAS's own variable comes first
    assert small_gemm._blas_threads() == 3
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "none")
    assert small_gemm._blas_threads() == 5
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    assert small_gemm._blas_threads() >= 1

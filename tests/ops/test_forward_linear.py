"""F.linear against numpy written here: values, batch-axis flattening, gradients
(the bias gradient is a sum over every batch axis) and its shape errors."""

from __future__ import annotations

import re

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core import small_gemm
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(7)


def _oracle(x: Array, W: Array, b: Array | None, n_batch_axes: int) -> Array:
    """Explicit loops: out[batch..., o] = sum_i flat(x)[batch..., i] * W[o, i] + b[o]."""
    batch_shape = x.shape[:n_batch_axes]
    flat = x.reshape(batch_shape + (-1,))
    out = numpy.zeros(batch_shape + (W.shape[0],))
    for idx in numpy.ndindex(batch_shape):
        for o in range(W.shape[0]):
            out[idx + (o,)] = sum(float(flat[idx + (i,)]) * float(W[o, i]) for i in range(W.shape[1]))
            if b is not None:
                out[idx + (o,)] += float(b[o])
    return out


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("x_shape,n_batch_axes", [((4, 3), 1), ((4, 3, 2), 1), ((2, 3, 5), 2),
                                                  ((2, 3, 2, 2), 2), ((1, 1), 1)])
def test_linear_matches_numpy(x_shape: tuple[int, ...], n_batch_axes: int, with_bias: bool) -> None:
    n_in = int(numpy.prod(x_shape[n_batch_axes:]))
    x = RNG.standard_normal(x_shape)
    W = RNG.standard_normal((3, n_in))
    b = RNG.standard_normal(3) if with_bias else None
    y = F.linear(x, W, b, n_batch_axes=n_batch_axes)
    expected = _oracle(x, W, b, n_batch_axes)
    assert y.shape == x_shape[:n_batch_axes] + (3,)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape,n_batch_axes", [((4, 3), 1), ((4, 3, 2), 1), ((2, 3, 5), 2)])
def test_linear_gradients(x_shape: tuple[int, ...], n_batch_axes: int) -> None:
    n_in = int(numpy.prod(x_shape[n_batch_axes:]))
    x = fchain.Variable(RNG.standard_normal(x_shape))
    W = fchain.Variable(RNG.standard_normal((2, n_in)))
    b = fchain.Variable(RNG.standard_normal(2))
    y = F.linear(x, W, b, n_batch_axes=n_batch_axes)
    gy = RNG.standard_normal(y.shape)
    y.grad = gy
    y.backward()
    batch = int(numpy.prod(x_shape[:n_batch_axes]))
    gy2 = gy.reshape(batch, 2)
    x2 = x.array.reshape(batch, n_in)
    assert x.grad is not None and W.grad is not None and b.grad is not None
    # written as sums, independent of the rule's matmuls
    numpy.testing.assert_allclose(
        x.grad, numpy.einsum("bo,oi->bi", gy2, W.array).reshape(x_shape), rtol=1e-12)
    numpy.testing.assert_allclose(W.grad, numpy.einsum("bo,bi->oi", gy2, x2), rtol=1e-12)
    numpy.testing.assert_allclose(b.grad, gy.sum(axis=tuple(range(n_batch_axes))), rtol=1e-12)
    assert b.grad.shape == (2,)


def test_linear_without_bias_gives_two_gradients() -> None:
    x = fchain.Variable(RNG.standard_normal((3, 4)))
    W = fchain.Variable(RNG.standard_normal((2, 4)))
    y = F.linear(x, W)
    y.grad = numpy.ones((3, 2))
    y.backward()
    assert x.grad is not None and W.grad is not None
    numpy.testing.assert_allclose(W.grad, numpy.tile(x.array.sum(axis=0), (2, 1)), rtol=1e-12)


def test_linear_keeps_float32() -> None:
    x = RNG.standard_normal((2, 3)).astype(numpy.float32)
    W = RNG.standard_normal((4, 3)).astype(numpy.float32)
    b = numpy.zeros(4, numpy.float32)
    assert F.linear(x, W, b).dtype == numpy.float32


def test_linear_reports_feature_mismatch() -> None:
    expected = "linear: x has shape (2, 5) but W expects 3 input features"
    with pytest.raises(ShapeError, match="^" + re.escape(expected)):
        F.linear(numpy.zeros((2, 5)), numpy.zeros((4, 3)))
    with pytest.raises(ShapeError, match="^" + re.escape("linear: x has shape (2, 2, 3) but W expects 5")):
        F.linear(numpy.zeros((2, 2, 3)), numpy.zeros((4, 5)), n_batch_axes=2)


def test_linear_shape_errors_name_the_argument() -> None:
    with pytest.raises(ShapeError, match=r"^linear: b has shape \(3,\)"):
        F.linear(numpy.zeros((2, 3)), numpy.zeros((4, 3)), numpy.zeros(3))
    with pytest.raises(ShapeError, match=r"^linear: W must be 2-d"):
        F.linear(numpy.zeros((2, 3)), numpy.zeros(3))
    with pytest.raises(ShapeError, match=r"^linear: x has shape \(3,\)"):
        F.linear(numpy.zeros(3), numpy.zeros((4, 3)))
    with pytest.raises(ValueError, match="^linear: n_batch_axes"):
        F.linear(numpy.zeros((2, 3)), numpy.zeros((4, 3)), n_batch_axes=0)


def test_linear_rejects_mixed_dtypes() -> None:
    with pytest.raises(DTypeError, match="^linear: W has dtype"):
        F.linear(numpy.zeros((2, 3), numpy.float32), numpy.zeros((4, 3)))
    with pytest.raises(DTypeError, match="^linear: b has dtype"):
        F.linear(numpy.zeros((2, 3)), numpy.zeros((4, 3)), numpy.zeros(4, numpy.float32))


def test_linear_skips_gradients_nobody_needs() -> None:
    x_data = RNG.standard_normal((3, 4))
    W = fchain.Variable(RNG.standard_normal((2, 4)))
    for x in (x_data, fchain.Variable(x_data, requires_grad=False)):
        W.cleargrad()
        y = F.linear(x, W)
        assert y.creator is not None
        params = y.creator.params
        assert params.grad_x is False and params.grad_W is True
        y.grad = numpy.ones((3, 2))
        y.backward()
        assert W.grad is not None
        numpy.testing.assert_allclose(W.grad, numpy.tile(x_data.sum(axis=0), (2, 1)), rtol=1e-12)
    xv = fchain.Variable(x_data)
    y = F.linear(xv, fchain.Variable(W.array, requires_grad=False), n_batch_axes=1)
    assert y.creator is not None and y.creator.params.grad_W is False
    y.grad = numpy.ones((3, 2))
    y.backward()
    assert xv.grad is not None
    numpy.testing.assert_allclose(xv.grad, numpy.tile(W.array.sum(axis=0), (3, 1)), rtol=1e-12)


def test_linear_with_parameters_matches_the_general_path() -> None:
    """Initialized Parameters W and b and a 2-d x (L.Linear's call) take a shortcut
    past the argument checks: same values and gradients as plain Variables, the same
    gradient flags, and every mismatch still reported by the general checks."""
    x_data = RNG.standard_normal((3, 4))
    W_data = RNG.standard_normal((2, 4))
    b_data = RNG.standard_normal(2)
    for x in (x_data, fchain.Variable(x_data), fchain.Variable(x_data, requires_grad=False)):
        W, b = fchain.Parameter(W_data.copy()), fchain.Parameter(b_data.copy())
        y = F.linear(x, W, b)
        numpy.testing.assert_allclose(y.array, _oracle(x_data, W_data, b_data, 1), rtol=1e-12)
        assert y.creator is not None
        wants_x = isinstance(x, fchain.Variable) and x.requires_grad
        assert y.creator.params.grad_x is wants_x and y.creator.params.grad_W is True
        y.grad = numpy.ones((3, 2))
        y.backward()
        assert W.grad is not None and b.grad is not None
        numpy.testing.assert_allclose(W.grad, numpy.tile(x_data.sum(axis=0), (2, 1)), rtol=1e-12)
        numpy.testing.assert_allclose(b.grad, numpy.full(2, 3.0), rtol=1e-12)
        if wants_x:
            assert isinstance(x, fchain.Variable) and x.grad is not None
            numpy.testing.assert_allclose(x.grad, numpy.tile(W_data.sum(axis=0), (3, 1)), rtol=1e-12)
    frozen = fchain.Parameter(W_data.copy())
    frozen.requires_grad = False
    y = F.linear(x_data, frozen, fchain.Parameter(b_data.copy()))
    assert y.creator is not None and y.creator.params.grad_W is False
    W, b = fchain.Parameter(W_data), fchain.Parameter(b_data)
    with pytest.raises(ShapeError, match=r"^linear: x has shape \(3, 5\) but W expects 4"):
        F.linear(RNG.standard_normal((3, 5)), W, b)
    with pytest.raises(ShapeError, match=r"^linear: b has shape \(3,\)"):
        F.linear(x_data, W, fchain.Parameter(RNG.standard_normal(3)))
    with pytest.raises(ValueError, match=r"^linear: b has no data"):
        F.linear(x_data, W, fchain.Parameter())
    with pytest.raises(TypeError, match="^linear: n_batch_axes"):
        F.linear(x_data, W, b, n_batch_axes=1.0)  # type: ignore[arg-type]  # the wrong type under test
    flat = F.linear(RNG.standard_normal((3, 2, 2)), W, b)
    assert flat.shape == (3, 2)


@pytest.mark.parametrize("small_kernels", [False, True])
@pytest.mark.parametrize("rows, n_in, n_out", [(1, 200, 800), (20, 200, 1000), (64, 300, 256), (3, 7, 600)])
def test_a_wide_output_is_x_w_t(rows: int, n_in: int, n_out: int, small_kernels: bool,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Few rows and many outputs take the swapped product (W x^T)^T: the same bits
    as x W^T, and a C-ordered result; where OpenBLAS's small kernels take chunks
    of W's rows (``core.small_gemm``, at most 32 rows), x W^T up to the rounding
    of their order of summation."""
    monkeypatch.setattr(small_gemm, "SMALL_KERNELS", small_kernels)
    monkeypatch.setattr(small_gemm, "ONE_BLAS_THREAD", True)
    rng = numpy.random.default_rng(rows)
    x = rng.standard_normal((rows, n_in)).astype(numpy.float32)
    W = rng.standard_normal((n_out, n_in)).astype(numpy.float32)
    b = rng.standard_normal(n_out).astype(numpy.float32)
    y = F.linear(x, W, b).array
    want = x @ W.T
    want += b
    assert y.flags.c_contiguous
    if small_gemm.split_outer(x, W):
        exact = x.astype(numpy.float64) @ W.T.astype(numpy.float64) + b
        bound = 2 * n_in * numpy.finfo(numpy.float32).eps * (numpy.abs(x) @ numpy.abs(W.T) + numpy.abs(b))
        assert numpy.all(numpy.abs(y - exact) <= bound)
        assert small_kernels and rows <= small_gemm.MAX_ROWS
    else:
        assert y.tobytes() == want.tobytes()

"""Conventions and errors of the convolution and pooling functions, tested exactly.

Max pooling at a tie sends the whole gradient to the first maximum of the window in
raster order (Chainer's ``argmax``); the property tests keep their inputs tie-free,
so the convention is pinned here.  Every bad argument or shape is refused with an
error naming the function and the argument.
"""

from __future__ import annotations

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import ShapeError
from fchain.gradient_check import check_backward, check_double_backward
from fchain.types import Array


def _grad_of_max_pooling(x: Array, ksize: int | tuple[int, int], stride: int | None = None) -> Array:
    v = fchain.Variable(x)
    y = F.max_pooling_2d(v, ksize, stride)
    y.grad = numpy.arange(1, y.size + 1, dtype=x.dtype).reshape(y.shape)
    y.backward()
    assert v.grad is not None
    return v.grad


def test_max_pooling_tie_goes_to_the_first_maximum_in_raster_order() -> None:
    x = numpy.array([[[[1.0, 3.0, 3.0, 0.0],
                       [3.0, 2.0, 3.0, 3.0]]]], dtype=numpy.float32)
    g = _grad_of_max_pooling(x, ksize=2)
    want = numpy.array([[[[0.0, 1.0, 2.0, 0.0],   # 3s tie in both windows: the first in
                          [0.0, 0.0, 0.0, 0.0]]]], dtype=numpy.float32)  # raster order wins
    assert g.tobytes() == want.tobytes()


def test_max_pooling_ties_in_overlapping_windows_accumulate() -> None:
    x = numpy.full((1, 1, 1, 4), 5.0)
    g = _grad_of_max_pooling(x, ksize=(1, 2), stride=1)  # windows [0,1], [1,2], [2,3]
    assert g.ravel().tolist() == [1.0, 2.0, 3.0, 0.0]


def test_max_pooling_indexes_are_the_first_maximum() -> None:
    x = numpy.array([[[[1.0, 3.0, 3.0, 0.0],
                       [3.0, 2.0, 3.0, 3.0]]]], dtype=numpy.float32)
    y, index = F.max_pooling_2d(x, 2, return_indices=True)
    assert index.dtype == numpy.int64
    assert index.ravel().tolist() == [1, 0]
    assert y.array.ravel().tolist() == [3.0, 3.0]


def test_max_pooling_padding_never_wins() -> None:
    x = -numpy.ones((1, 1, 2, 2))
    y = F.max_pooling_2d(x, 2, stride=1, pad=1)
    assert (y.array == -1.0).all()


def test_upsampling_inverts_max_pooling_on_its_indexes() -> None:
    rng = numpy.random.default_rng(0)
    x = rng.permutation(36).astype(numpy.float64).reshape(1, 1, 6, 6)
    y, index = F.max_pooling_2d(x, 2, return_indices=True)
    up = F.upsampling_2d(y, index, 2, outsize=(6, 6))
    assert numpy.array_equal(up.array, numpy.where(x == up.array, x, 0.0))
    assert numpy.count_nonzero(up.array) == 9


def test_convolution_skips_the_gradient_of_data() -> None:
    """A first layer's input is data: its gradient is never computed (the rule's
    flag), and the filter gradient is still right."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5))
    W = fchain.Variable(rng.standard_normal((4, 3, 3, 3)))
    y = F.convolution_2d(x, W, pad=1)
    assert y.creator is not None and y.creator.params.grad_x is False
    F.sum(y).backward()
    assert W.grad is not None
    want = numpy.einsum("nchw->c", numpy.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))[:, :, 0:5, 0:5])
    numpy.testing.assert_allclose(W.grad[0, :, 0, 0], want)


def test_convolution_matches_its_definition() -> None:
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((2, 4, 6, 5))
    W = rng.standard_normal((6, 2, 2, 3))
    y = F.convolution_2d(x, W, stride=(2, 1), pad=(1, 0), dilate=(2, 1), groups=2).array
    xp = numpy.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    want = numpy.zeros_like(y)
    for o in range(6):
        g = o // 3
        for i in range(y.shape[2]):
            for j in range(y.shape[3]):
                patch = xp[:, 2 * g:2 * g + 2, 2 * i:2 * i + 3:2, j:j + 3]
                want[:, o, i, j] = numpy.einsum("nckl,ckl->n", patch, W[o])
    numpy.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call, kind, words", [
    (lambda: F.convolution_2d(numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 2, 3, 3))), ShapeError,
     ["convolution_2d", "channels"]),
    (lambda: F.convolution_2d(numpy.zeros((1, 3, 4)), numpy.zeros((2, 3, 3))), ShapeError,
     ["convolution_2d", "x", "4 dimensions"]),
    (lambda: F.convolution_2d(numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 3, 3)), stride=0), ValueError,
     ["convolution_2d", "stride"]),
    (lambda: F.convolution_nd(numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 3, 3)), pad=(1, 1, 1)), ValueError,
     ["convolution_nd", "pad"]),
    (lambda: F.convolution_2d(numpy.zeros((1, 3, 2, 2)), numpy.zeros((2, 3, 3, 3))), ShapeError,
     ["convolution_2d", "empty"]),
    (lambda: F.convolution_2d(numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 3, 3)), numpy.zeros(3)),
     ShapeError, ["convolution_2d", "b"]),
    (lambda: F.convolution_2d(numpy.zeros((1, 4, 4, 4)), numpy.zeros((3, 2, 3, 3)), groups=2), ShapeError,
     ["convolution_2d", "groups"]),
    (lambda: F.deconvolution_2d(numpy.zeros((1, 2, 3, 3)), numpy.zeros((2, 1, 3, 3)), stride=2,
                                outsize=(9, 9)), ShapeError, ["deconvolution_2d", "outsize"]),
    (lambda: F.max_pooling_2d(numpy.zeros((1, 1, 4, 4)), 0), ValueError, ["max_pooling_2d", "ksize"]),
    (lambda: F.max_pooling_1d(numpy.zeros((1, 1, 4, 4)), 2), ShapeError, ["max_pooling_1d", "x"]),
    (lambda: F.average_pooling_nd(numpy.zeros((1, 1, 4, 4)), 2, pad_value=1), ValueError,
     ["average_pooling_nd", "pad_value"]),
    (lambda: F.unpooling_2d(numpy.zeros((1, 1, 2, 2)), 2, outsize=(7, 7), cover_all=False), ShapeError,
     ["unpooling_2d", "outsize"]),
    (lambda: F.upsampling_2d(numpy.zeros((1, 1, 2, 2)), numpy.zeros((1, 1, 2, 3), numpy.int64), 2),
     ShapeError, ["upsampling_2d", "indexes"]),
    (lambda: F.upsampling_2d(numpy.zeros((1, 1, 2, 2)), numpy.full((1, 1, 2, 2), 4), 2), ValueError,
     ["upsampling_2d", "indexes"]),
    (lambda: F.spatial_pyramid_pooling_2d(numpy.zeros((1, 1, 4, 4)), 2), ValueError,
     ["spatial_pyramid_pooling_2d", "pooling"]),
])
def test_bad_arguments_name_the_function_and_argument(call: object, kind: type[Exception],
                                                      words: list[str]) -> None:
    with pytest.raises(kind) as info:
        call()  # type: ignore[operator]  # a lambda
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# The composites are no registered op, so the registry's property test does not
# reach them: their first and second derivatives are checked here.
def _composite_cases() -> list[tuple[str, object, tuple[Array, ...]]]:
    rng = numpy.random.default_rng(3)
    return [
        ("local_convolution_2d", lambda x, W, b: F.local_convolution_2d(x, W, b, stride=(2, 1)),
         (rng.standard_normal((2, 2, 5, 3)), rng.standard_normal((3, 2, 2, 2, 2, 2)),
          rng.standard_normal((3, 2, 2)))),
        ("bilinear", lambda e1, e2, W, V1, V2, b: F.bilinear(e1, e2, W, V1, V2, b),
         (rng.standard_normal((3, 2)), rng.standard_normal((3, 2, 2)), rng.standard_normal((2, 4, 3)),
          rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal(3))),
        ("depthwise_convolution_2d", lambda x, W, b: F.depthwise_convolution_2d(x, W, b, stride=2, pad=1),
         (rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(6))),
        ("spatial_pyramid_pooling_2d", lambda x: F.spatial_pyramid_pooling_2d(x, 3, "max"),
         (rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) * 0.1,)),
    ]


@pytest.mark.parametrize("name, fn, inputs", _composite_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_composites_have_first_and_second_derivatives(name: str, fn: object, inputs: tuple[Array, ...]) -> None:
    rng = numpy.random.default_rng(4)
    y = fn(*[fchain.Variable(x) for x in inputs])  # type: ignore[operator]  # a lambda
    gy = rng.standard_normal(y.shape)
    check_backward(fn, inputs, gy, eps=1e-6, rtol=1e-5, atol=1e-7, rng=rng)  # type: ignore[arg-type]  # a lambda
    ggx = tuple(rng.standard_normal(x.shape) for x in inputs)
    check_double_backward(fn, inputs, gy, ggx, eps=1e-5, rtol=1e-4, atol=1e-6,  # type: ignore[arg-type]  # a lambda
                          rng=rng)


@pytest.mark.parametrize("stride", [1, 2])
def test_convolution_of_an_empty_batch_gives_zero_parameter_gradients(stride: int) -> None:
    x = fchain.Variable(numpy.ones((0, 3, 5, 5), numpy.float32))
    W = fchain.Variable(numpy.ones((4, 3, 3, 3), numpy.float32))
    b = fchain.Variable(numpy.ones(4, numpy.float32))
    y = F.convolution_2d(x, W, b, stride=stride, pad=1)
    y.grad = numpy.ones(y.shape, numpy.float32)
    y.backward()
    assert x.grad is not None and x.grad.shape == x.shape
    assert W.grad is not None and not W.grad.any() and W.grad.shape == W.shape
    assert b.grad is not None and not b.grad.any()

"""The memory layout of an array never changes a number.

The convolutions return channels-last arrays (``(N, C, H, W)`` views of ``(N, H, W,
C)`` memory), and the ops after them (ReLU, pooling, batch normalization, the next
convolution) keep or read that layout for speed.  Every result must be bit for bit
what the same values give laid out channels-first, as Chainer has them: these tests
feed both layouts and compare exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.ops._channel_sums import batch_sums, channel_sums
from fchain.types import Array


def _channels_last(a: Array) -> Array:
    """The same values as ``a (N, C, *spatial)``, in channels-last memory."""
    moved = numpy.ascontiguousarray(numpy.moveaxis(a, 1, -1))
    return numpy.moveaxis(moved, -1, 1)


def _grads(fn: Callable[..., fchain.Variable], gy: Array, *inputs: Array) -> tuple[Array, list[Array]]:
    variables = [fchain.Variable(a) for a in inputs]
    y = fn(*variables)
    y.grad = gy
    y.backward()
    grads = []
    for v in variables:
        assert v.grad is not None
        grads.append(v.grad)
    return y.array, grads


def _same(a: Array, b: Array) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert numpy.ascontiguousarray(a).tobytes() == numpy.ascontiguousarray(b).tobytes()


RNG = numpy.random.default_rng(0)


@pytest.mark.parametrize("shape", [(64, 32, 32, 32), (3, 5, 7, 3), (2, 4, 1, 1), (5, 3, 13, 11), (4, 6, 40, 9),
                                   (2, 3, 300), (2, 3, 129, 3), (3, 2, 1000, 3), (2, 3, 4, 5, 6)])
def test_channel_sums_add_as_numpy_adds_a_channels_first_array(shape: tuple[int, ...]) -> None:
    a = RNG.standard_normal(shape).astype(numpy.float32)
    axes = (0,) + tuple(range(2, a.ndim))
    last = _channels_last(a)
    _same(channel_sums(numpy, last), a.sum(axis=axes))
    _same(batch_sums(numpy, last, axes), a.sum(axis=axes, keepdims=True))


def test_channel_sums_add_as_numpy_adds_for_random_shapes() -> None:
    rng = numpy.random.default_rng(1)
    for _ in range(100):
        spatial = tuple(int(rng.integers(1, 40)) for _ in range(int(rng.integers(1, 4))))
        shape = (int(rng.integers(1, 9)), int(rng.integers(2, 70))) + spatial
        a = (rng.standard_normal(shape) * rng.uniform(0.1, 100)).astype(numpy.float32)
        _same(channel_sums(numpy, _channels_last(a)), a.sum(axis=(0,) + tuple(range(2, a.ndim))))


@pytest.mark.parametrize("stride,pad,groups", [(1, 1, 1), (2, 1, 1), (1, 0, 2), (1, 2, 1)])
def test_convolution_gives_the_same_numbers_for_either_layout_of_x_and_gy(stride: int, pad: int,
                                                                          groups: int) -> None:
    x = RNG.standard_normal((5, 4, 9, 8)).astype(numpy.float32)
    W = RNG.standard_normal((6, 4 // groups, 3, 3)).astype(numpy.float32)
    b = RNG.standard_normal(6).astype(numpy.float32)

    def conv(x: fchain.Variable, W: fchain.Variable, b: fchain.Variable) -> fchain.Variable:
        return F.convolution_2d(x, W, b, stride=stride, pad=pad, groups=groups)

    y = conv(fchain.Variable(x), fchain.Variable(W), fchain.Variable(b)).array
    gy = RNG.standard_normal(y.shape).astype(numpy.float32)
    y1, g1 = _grads(conv, gy, x, W, b)
    y2, g2 = _grads(conv, _channels_last(gy), _channels_last(x), W, b)
    _same(y1, y2)
    for a, c in zip(g1, g2):
        _same(a, c)


@pytest.mark.parametrize("shape", [(8, 5, 12, 11), (4, 3, 16, 16), (3, 6, 8, 8), (2, 4, 3, 5, 7)])
def test_batch_normalization_gives_the_same_numbers_for_either_layout(shape: tuple[int, ...]) -> None:
    x = RNG.standard_normal(shape).astype(numpy.float32)
    gamma = RNG.uniform(0.5, 1.5, shape[1]).astype(numpy.float32)
    beta = RNG.standard_normal(shape[1]).astype(numpy.float32)
    gy = RNG.standard_normal(x.shape).astype(numpy.float32)

    def bn(x: fchain.Variable, g: fchain.Variable, b: fchain.Variable) -> fchain.Variable:
        return F.batch_normalization(x, g, b)

    y1, g1 = _grads(bn, gy, x, gamma, beta)
    y2, g2 = _grads(bn, _channels_last(gy), _channels_last(x), gamma, beta)
    _same(y1, y2)
    for a, c in zip(g1, g2):
        _same(a, c)


def test_max_pooling_gives_the_same_numbers_for_either_layout_and_keeps_x_s() -> None:
    x = numpy.maximum(RNG.standard_normal((4, 3, 8, 6)), 0).astype(numpy.float32)  # ties at zero
    gy = RNG.standard_normal((4, 3, 4, 3)).astype(numpy.float32)
    pool = lambda v: F.max_pooling_2d(v, 2)  # noqa: E731
    y1, (g1,) = _grads(pool, gy, x)
    y2, (g2,) = _grads(pool, gy, _channels_last(x))  # gy channels-first, x channels-last
    _same(y1, y2)
    _same(g1, g2)
    assert g2.strides[1] == g2.itemsize  # the gradient has x's channels-last layout


def test_convolution_output_is_channels_last_and_feeds_the_next_one_unchanged() -> None:
    x = RNG.standard_normal((3, 4, 7, 7)).astype(numpy.float32)
    W1 = RNG.standard_normal((5, 4, 3, 3)).astype(numpy.float32)
    W2 = RNG.standard_normal((2, 5, 3, 3)).astype(numpy.float32)
    h = F.convolution_2d(x, W1, pad=1).array
    assert h.strides[1] == h.itemsize
    _same(F.convolution_2d(h, W2, pad=1).array, F.convolution_2d(numpy.ascontiguousarray(h), W2, pad=1).array)

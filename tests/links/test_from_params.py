"""``from_params`` (Chainer 7's ``Linear``, ``Convolution2D``, ``ConvolutionND``
and ``EmbedID`` class methods): the sizes come from ``W``, the parameters start
as copies of ``W`` and ``b``, and the layer computes the function with them."""

from __future__ import annotations

import warnings

import numpy
import pytest

import fchain
import fchain.functions as F
import fchain.links as L

RNG = numpy.random.RandomState(0)


def test_convolution_2d_from_params_reads_sizes_and_copies() -> None:
    W = RNG.standard_normal((6, 2, 3, 2)).astype(numpy.float32)
    b = RNG.standard_normal(6).astype(numpy.float32)
    link = L.Convolution2D.from_params(fchain.Variable(W), b, stride=2, pad=1, groups=2)
    assert (link.in_channels, link.out_channels, link.ksize, link.groups) == (4, 6, (3, 2), 2)
    held = link.W.array
    assert held is not None and held is not W and held.tobytes() == W.tobytes()
    x = RNG.standard_normal((2, 4, 7, 6)).astype(numpy.float32)
    want = F.convolution_2d(x, W, b, stride=2, pad=1, groups=2)
    assert link(x).array.tobytes() == want.array.tobytes()
    W[...] = 0.0  # the link holds a copy
    assert held.any()


def test_convolution_2d_from_params_nobias_and_errors() -> None:
    W = RNG.standard_normal((3, 2, 1, 1)).astype(numpy.float32)
    assert L.Convolution2D.from_params(W, nobias=True).b is None
    with pytest.raises(ValueError, match=r"Convolution2D.from_params: b has 2 values but W has 3 outputs"):
        L.Convolution2D.from_params(W, numpy.zeros(2, numpy.float32))
    with pytest.raises(ValueError, match=r"Convolution2D.from_params: W must have 4 axes, got shape \(3, 2\)"):
        L.Convolution2D.from_params(W[:, :, 0, 0])


def test_convolution_nd_from_params_takes_the_rank_from_W() -> None:
    W = RNG.standard_normal((3, 2, 2, 3, 2)).astype(numpy.float32)
    link = L.ConvolutionND.from_params(W, cover_all=True, stride=2)
    assert (link.ndim, link.in_channels, link.out_channels, link.ksize) == (3, 2, 3, (2, 3, 2))
    x = RNG.standard_normal((1, 2, 5, 5, 4)).astype(numpy.float32)
    want = F.convolution_nd(x, W, link.b, stride=2, cover_all=True)
    assert link(x).array.tobytes() == want.array.tobytes()


def test_linear_from_params() -> None:
    W = RNG.standard_normal((4, 3)).astype(numpy.float32)
    b = RNG.standard_normal(4).astype(numpy.float32)
    link = L.Linear.from_params(W, b)
    assert (link.in_size, link.out_size) == (3, 4)
    x = RNG.standard_normal((2, 3)).astype(numpy.float32)
    assert link(x).array.tobytes() == F.linear(x, W, b).array.tobytes()


def test_embed_id_from_params() -> None:
    W = RNG.standard_normal((5, 3)).astype(numpy.float32)
    link = L.EmbedID.from_params(fchain.Variable(W), ignore_label=-1)
    assert (link.W.shape, link.ignore_label) == ((5, 3), -1)
    ids = numpy.array([4, -1, 0], numpy.int32)
    assert link(ids).array.tobytes() == F.embed_id(ids, W, ignore_label=-1).array.tobytes()
    W[...] = 0.0  # the link holds a copy
    assert link.W.array is not None and link.W.array.any()
    with pytest.raises(ValueError, match=r"EmbedID.from_params: W must have 2 axes, got shape \(5,\)"):
        L.EmbedID.from_params(W[:, 0])


def test_bilinear_zero_grads_is_zerograds() -> None:
    link = L.Bilinear(2, 3, 4)
    link.cleargrads()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        link.zero_grads()
    assert all(p.grad is not None and not p.grad.any() for p in link.params())

"""The convolution links (Convolution1D/2D/3D/ND, Deconvolution1D/2D/3D/ND,
DilatedConvolution2D, DepthwiseConvolution2D, LocalConvolution2D): Chainer's
parameter shapes and defaults, the ``ksize=None`` shorthand, lazy input channels
(also on a device), forward against the function each wraps, copies and files.

Chainer's own numbers for these links are in ``test_chainer_golden_links.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import fchain.functions as F
import fchain.links as L
from fchain import Link, Parameter, Variable, initializers
from fchain.errors import ShapeError
from fchain.initializers import HeNormal, LeCunNormal
from fchain.types import Array
from tests.arrays import values
from tests.conftest import DEVICES
from tests.links.link_checks import assert_copies, assert_device_move, assert_round_trip

Reference = Callable[[Array, Array, Array | None], Variable]


@dataclass(frozen=True)
class ConvCase:
    """A link with every size given (``make``) and the same link with its input
    channels left to the first batch (``lazy``), the input shape, the parameter
    shapes Chainer gives it, and the function call it must equal (written out
    here, not read from the link's attributes)."""

    id: str
    make: Callable[[], Link]
    lazy: Callable[[], Link]
    x_shape: tuple[int, ...]
    W_shape: tuple[int, ...]
    b_shape: tuple[int, ...] | None
    reference: Reference


CASES = [
    ConvCase("convolution_2d",
             lambda: L.Convolution2D(4, 6, (3, 2), stride=(2, 1), pad=1, dilate=(1, 2), groups=2),
             lambda: L.Convolution2D(None, 6, (3, 2), stride=(2, 1), pad=1, dilate=(1, 2), groups=2),
             (2, 4, 7, 6), (6, 2, 3, 2), (6,),
             lambda x, W, b: F.convolution_2d(x, W, b, (2, 1), 1, dilate=(1, 2), groups=2)),
    ConvCase("convolution_2d-shorthand", lambda: L.Convolution2D(3, 5, 3), lambda: L.Convolution2D(5, 3),
             (2, 3, 5, 5), (5, 3, 3, 3), (5,), lambda x, W, b: F.convolution_2d(x, W, b)),
    ConvCase("convolution_1d", lambda: L.Convolution1D(3, 4, 3, stride=2, pad=1, cover_all=True),
             lambda: L.Convolution1D(None, 4, 3, stride=2, pad=1, cover_all=True), (2, 3, 9), (4, 3, 3), (4,),
             lambda x, W, b: F.convolution_1d(x, W, b, 2, 1, cover_all=True)),
    ConvCase("convolution_3d", lambda: L.Convolution3D(2, 3, (2, 3, 2), pad=(1, 0, 1), nobias=True),
             lambda: L.Convolution3D(3, (2, 3, 2), None, pad=(1, 0, 1), nobias=True), (1, 2, 4, 5, 3),
             (3, 2, 2, 3, 2), None, lambda x, W, b: F.convolution_3d(x, W, None, 1, (1, 0, 1))),
    ConvCase("convolution_nd", lambda: L.ConvolutionND(2, 4, 4, 3, stride=2, pad=2, dilate=2, groups=2,
                                                       cover_all=True),
             lambda: L.ConvolutionND(2, 4, 3, stride=2, pad=2, dilate=2, groups=2, cover_all=True),
             (2, 4, 5, 4), (4, 2, 3, 3), (4,),
             lambda x, W, b: F.convolution_nd(x, W, b, 2, 2, cover_all=True, dilate=2, groups=2)),
    ConvCase("deconvolution_2d", lambda: L.Deconvolution2D(3, 4, 3, stride=2, pad=1),
             lambda: L.Deconvolution2D(4, 3, stride=2, pad=1), (2, 3, 4, 5), (3, 4, 3, 3), (4,),
             lambda x, W, b: F.deconvolution_2d(x, W, b, 2, 1)),
    ConvCase("deconvolution_2d-outsize-groups",
             lambda: L.Deconvolution2D(4, 6, (3, 2), stride=2, pad=1, outsize=(6, 7), dilate=(1, 2), groups=2),
             lambda: L.Deconvolution2D(None, 6, (3, 2), 2, 1, outsize=(6, 7), dilate=(1, 2), groups=2),
             (2, 4, 3, 4), (4, 3, 3, 2), (6,),
             lambda x, W, b: F.deconvolution_2d(x, W, b, 2, 1, (6, 7), dilate=(1, 2), groups=2)),
    ConvCase("deconvolution_1d", lambda: L.Deconvolution1D(3, 2, 3, stride=3),
             lambda: L.Deconvolution1D(None, 2, 3, stride=3), (2, 3, 5), (3, 2, 3), (2,),
             lambda x, W, b: F.deconvolution_1d(x, W, b, 3)),
    ConvCase("deconvolution_3d", lambda: L.Deconvolution3D(2, 3, (2, 2, 3), stride=(1, 2, 1), pad=(0, 1, 1)),
             lambda: L.Deconvolution3D(None, 3, (2, 2, 3), stride=(1, 2, 1), pad=(0, 1, 1)), (1, 2, 3, 2, 3),
             (2, 3, 2, 2, 3), (3,), lambda x, W, b: F.deconvolution_3d(x, W, b, (1, 2, 1), (0, 1, 1))),
    ConvCase("deconvolution_nd", lambda: L.DeconvolutionND(2, 3, 2, 3, stride=2, outsize=(8, 6)),
             lambda: L.DeconvolutionND(2, 2, 3, stride=2, outsize=(8, 6)), (2, 3, 4, 3), (3, 2, 3, 3), (2,),
             lambda x, W, b: F.deconvolution_nd(x, W, b, 2, 0, (8, 6))),
    ConvCase("dilated_convolution_2d", lambda: L.DilatedConvolution2D(3, 4, 3, pad=1, dilate=2),
             lambda: L.DilatedConvolution2D(4, 3, pad=1, dilate=2), (2, 3, 8, 7), (4, 3, 3, 3), (4,),
             lambda x, W, b: F.dilated_convolution_2d(x, W, b, 1, 1, 2)),
    ConvCase("depthwise_convolution_2d", lambda: L.DepthwiseConvolution2D(3, 2, 3, stride=2, pad=1),
             lambda: L.DepthwiseConvolution2D(None, 2, 3, stride=2, pad=1), (2, 3, 6, 5), (2, 3, 3, 3), (6,),
             lambda x, W, b: F.depthwise_convolution_2d(x, W, b, 2, 1)),
    ConvCase("local_convolution_2d", lambda: L.LocalConvolution2D(3, 4, (6, 5), (3, 2), stride=(2, 3)),
             lambda: L.LocalConvolution2D(None, 4, ksize=(3, 2), stride=(2, 3)), (2, 3, 6, 5), (4, 2, 2, 3, 3, 2),
             (4, 2, 2), lambda x, W, b: F.local_convolution_2d(x, W, b, (2, 3))),
]
IDS = [c.id for c in CASES]


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _b(link: Link) -> Array | None:
    b = getattr(link, "b")
    return None if b is None else values(b)


def _W(link: Link) -> Array:
    W = getattr(link, "W")
    assert isinstance(W, Parameter)
    return values(W)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parameters_have_chainers_shapes_and_the_forward_is_the_function(case: ConvCase) -> None:
    link = case.make()
    assert _W(link).shape == case.W_shape and _W(link).dtype == np.float32
    b = _b(link)
    assert (b is None) == (case.b_shape is None)
    if b is not None:
        assert b.shape == case.b_shape
        np.testing.assert_array_equal(b, np.zeros(case.b_shape, np.float32))  # Chainer's default: zero
        values(getattr(link, "b"))[...] = np.random.default_rng(1).standard_normal(case.b_shape)
    x = _x(case.x_shape)
    y = link(x)
    want = case.reference(x, _W(link), _b(link))
    assert y.shape == want.shape and y.dtype == np.float32
    np.testing.assert_array_equal(y.array, want.array)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_lazy_channels_come_from_the_first_batch_and_draw_as_the_sized_link(case: ConvCase) -> None:
    initializers.set_random_seed(7)
    lazy = case.lazy()
    assert not getattr(lazy, "W").is_initialized
    x = _x(case.x_shape)
    y = lazy(x)
    assert _W(lazy).shape == case.W_shape
    np.testing.assert_array_equal(y.array, case.reference(x, _W(lazy), _b(lazy)).array)
    W = getattr(lazy, "W").array
    lazy(x)
    assert getattr(lazy, "W").array is W  # sized once
    initializers.set_random_seed(7)
    sized = case.make()
    np.testing.assert_array_equal(_W(lazy), _W(sized))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_default_filter_initializer_is_chainers(case: ConvCase) -> None:
    """LeCunNormal for every W but the depthwise one (HeNormal(1/sqrt(2)))."""
    initializers.set_random_seed(11)
    W = _W(case.make())
    expected = np.empty(W.shape, np.float32)
    initializers.set_random_seed(11)
    (HeNormal(1 / math.sqrt(2)) if case.id.startswith("depthwise") else LeCunNormal())(expected)
    np.testing.assert_array_equal(W, expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients_reach_the_parameters(case: ConvCase) -> None:
    link = case.make()
    y = link(_x(case.x_shape))
    F.sum(y * y).backward()
    for name, param in link.namedparams():
        assert param.grad is not None and param.grad.shape == param.shape, name
        assert np.abs(param.grad).sum() > 0, name


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_files_round_trip_into_a_lazy_link(tmp_path: Path, case: ConvCase) -> None:
    x = _x(case.x_shape)
    keys = ["W"] + ([] if case.b_shape is None else ["b"])
    assert_round_trip(tmp_path, case.make, case.lazy, lambda link: link(x), keys)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_copies(case: ConvCase) -> None:
    x = _x(case.x_shape)
    assert_copies(case.lazy, lambda link: link(x))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_lazy_link_on_a_device_sizes_itself_there(device: str, case: ConvCase) -> None:
    assert_device_move(device, case.lazy, case.make, [_x(case.x_shape)])


def test_shorthand_forms_equal_the_long_ones() -> None:
    for short, long in [(L.Convolution2D(8, (3, 2), stride=2), L.Convolution2D(None, 8, (3, 2), stride=2)),
                        (L.Deconvolution2D(8, 3), L.Deconvolution2D(None, 8, 3)),
                        (L.DilatedConvolution2D(8, 3, dilate=2), L.DilatedConvolution2D(None, 8, 3, dilate=2))]:
        assert repr(short) == repr(long)
        assert getattr(short, "in_channels") is None and getattr(short, "out_channels") == 8
    nd = L.ConvolutionND(3, 8, 2)
    assert nd.in_channels is None and nd.out_channels == 8 and nd.ksize == (2, 2, 2)
    assert L.Convolution1D(8, 3, None).ksize == (3,)
    assert L.Deconvolution3D(8, 3, None).ksize == (3, 3, 3)


def test_attributes_as_chainer_keeps_them() -> None:
    conv = L.Convolution2D(3, 4, 3, stride=2, pad=(1, 0))
    assert conv.ksize == 3 and conv.stride == (2, 2) and conv.pad == (1, 0) and conv.dilate == (1, 1)
    assert conv.groups == 1 and conv.in_channels == 3 and conv.out_channels == 4
    assert L.Convolution2D(3, 4, [3, 2]).ksize == (3, 2)
    deconv = L.Deconvolution2D(3, 4, 3)
    assert deconv.outsize is None and deconv.stride == (1, 1)
    depthwise = L.DepthwiseConvolution2D(3, 2, 3)
    assert depthwise.channel_multiplier == 2 and not depthwise.nobias
    assert repr(conv) == ("Convolution2D(in_channels=3, out_channels=4, ksize=3, stride=(2, 2), pad=(1, 0), "
                          "nobias=False, dilate=(1, 1), groups=1)")


def test_explicit_initializers_and_nobias() -> None:
    W0 = np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2)
    conv = L.Convolution2D(3, 2, 2, initialW=W0, initial_bias=0.5)
    np.testing.assert_array_equal(conv.W.array, W0)
    assert conv.b is not None
    np.testing.assert_array_equal(conv.b.array, [0.5, 0.5])
    for link in [L.Convolution2D(3, 2, 2, nobias=True), L.ConvolutionND(1, 3, 2, 2, nobias=True),
                 L.Deconvolution2D(3, 2, 2, nobias=True), L.DeconvolutionND(1, 3, 2, 2, nobias=True),
                 L.DilatedConvolution2D(3, 2, 2, nobias=True), L.DepthwiseConvolution2D(3, 2, 2, nobias=True),
                 L.LocalConvolution2D(3, 2, 4, 2, nobias=True)]:
        assert getattr(link, "b") is None and [n for n, _ in link.namedparams()] == ["/W"], type(link).__name__
    local = L.LocalConvolution2D(None, 2, ksize=2, nobias=True)
    local(_x((1, 3, 4, 4)))
    assert local.W.shape == (2, 3, 3, 3, 2, 2)
    wide = L.Convolution2D(2, 2, 1, initialW=initializers.Normal(dtype=np.float64),
                           initial_bias=initializers.Zero(np.float64))
    assert wide.W.dtype == np.float64


def test_groups_must_divide_the_channels() -> None:
    with pytest.raises(ValueError, match="output channels"):
        L.Convolution2D(4, 5, 3, groups=2)
    with pytest.raises(ValueError, match="input channels"):
        L.Convolution2D(3, 4, 3, groups=2)
    lazy = L.ConvolutionND(2, 4, 3, groups=2)
    with pytest.raises(ValueError, match="input channels"):
        lazy(_x((1, 3, 5, 5)))
    with pytest.raises(ValueError, match="input channels"):
        L.Deconvolution2D(3, 4, 3, groups=2)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(TypeError, match="in_channels"):
        L.Convolution2D("3", 4, 3)  # type: ignore[call-overload]  # the mistake under test
    with pytest.raises(TypeError, match="out_channels"):
        L.Convolution2D(3, 4.5, 3)  # type: ignore[call-overload]  # the mistake under test
    with pytest.raises(ValueError, match="stride"):
        L.Convolution2D(3, 4, 3, stride=0)
    with pytest.raises(ValueError, match="ksize"):
        L.ConvolutionND(2, 3, 4, (3, 3, 3))
    with pytest.raises(TypeError, match="ksize"):
        L.LocalConvolution2D(3, 4, 5)
    with pytest.raises(ShapeError, match="Convolution2D"):
        L.Convolution2D(4, 3)(_x((3, 5, 5)))  # no batch axis: the channels cannot be read
    with pytest.raises(ShapeError, match="LocalConvolution2D"):
        L.LocalConvolution2D(None, 4, ksize=3)(_x((2, 3, 5)))


def test_local_convolution_sizes_its_output_with_the_stride() -> None:
    """Chainer's link forgets the stride when it sizes W (a documented difference):
    fchain's output grid is the function's, ``(size - k) // stride + 1``."""
    link = L.LocalConvolution2D(3, 2, (7, 6), 3, stride=2)
    assert link.W.shape == (2, 3, 2, 3, 3, 3)
    assert link(_x((1, 3, 7, 6))).shape == (1, 2, 3, 2)

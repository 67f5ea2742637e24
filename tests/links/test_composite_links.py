"""Bias, Scale, Bilinear, MLPConvolution2D, Inception and InceptionBN: Chainer's
parameter names and shapes (the file keys of their child links), forward against
the functions and links they compose, lazy sizes, devices, copies and files.

Chainer's own numbers for these links are in ``test_chainer_golden_links.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable
from fchain.errors import ShapeError
from fchain.types import Array
from tests.arrays import values
from tests.conftest import DEVICES
from tests.links.link_checks import assert_copies, assert_device_move, assert_round_trip


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ------------------------------------------------------------------ Bias, Scale


def test_bias_adds_along_the_axis() -> None:
    bias = L.Bias(axis=1, shape=(3,))
    assert bias.b is not None and [n for n, _ in bias.namedparams()] == ["/b"]
    np.testing.assert_array_equal(values(bias.b), np.zeros(3, np.float32))
    values(bias.b)[...] = [1.0, 2.0, 3.0]
    x = Variable(_x((2, 3, 4)))
    y = bias(x)
    np.testing.assert_array_equal(y.array, x.array + np.array([1.0, 2.0, 3.0], np.float32)[None, :, None])
    F.sum(y * _x((2, 3, 4), seed=1)).backward()
    assert bias.b.grad is not None
    np.testing.assert_allclose(bias.b.grad, _x((2, 3, 4), seed=1).sum(axis=(0, 2)), rtol=1e-6)
    two_inputs = L.Bias(axis=2)
    assert two_inputs.b is None and list(two_inputs.namedparams()) == []
    z = _x((4,), seed=2)
    np.testing.assert_array_equal(two_inputs(x, z).array, x.array + z[None, None, :])
    with pytest.raises(TypeError, match="bias"):
        two_inputs(x)
    with pytest.raises(ShapeError, match="Bias"):
        L.Bias(axis=1, shape=(4,))(x)


def test_scale_multiplies_along_the_axis_then_adds_its_bias() -> None:
    scale = L.Scale(axis=1, W_shape=(3, 4), bias_term=True)
    assert [n for n, _ in scale.namedparams()] == ["/W", "/bias/b"]
    assert scale.W is not None and scale.bias is not None and scale.bias.b is not None
    np.testing.assert_array_equal(values(scale.W), np.ones((3, 4), np.float32))
    values(scale.W)[...] = _x((3, 4), seed=3)
    values(scale.bias.b)[...] = _x((3, 4), seed=4)
    x = _x((2, 3, 4, 2))
    want = x * _x((3, 4), seed=3)[None, :, :, None] + _x((3, 4), seed=4)[None, :, :, None]
    np.testing.assert_array_equal(scale(x).array, want)
    free = L.Scale(axis=0)
    assert free.W is None and free.bias is None
    y = _x((2,), seed=5)
    np.testing.assert_array_equal(free(x, y).array, x * y[:, None, None, None])
    with_bias = L.Scale(axis=1, bias_term=True, bias_shape=(3,))
    assert [n for n, _ in with_bias.namedparams()] == ["/bias/b"]
    with pytest.raises(ValueError, match="bias_shape"):
        L.Scale(bias_term=True)


# --------------------------------------------------------------------- Bilinear


def test_bilinear() -> None:
    bl = L.Bilinear(3, 2, 4)
    assert [n for n, _ in bl.namedparams()] == ["/V1", "/V2", "/W", "/b"] and bl.in_sizes == (3, 2)
    assert values(bl.W).shape == (3, 2, 4) and bl.V1 is not None and values(bl.V1).shape == (3, 4)
    assert bl.V2 is not None and values(bl.V2).shape == (2, 4) and bl.b is not None
    np.testing.assert_array_equal(values(bl.b), np.zeros(4, np.float32))
    e1, e2 = _x((5, 3)), _x((5, 2), seed=1)
    want = F.bilinear(e1, e2, values(bl.W), values(bl.V1), values(bl.V2), values(bl.b))
    np.testing.assert_array_equal(bl(e1, e2).array, want.array)
    plain = L.Bilinear(3, 2, 4, nobias=True)
    assert [n for n, _ in plain.namedparams()] == ["/W"] and plain.V1 is None
    np.testing.assert_array_equal(plain(e1, e2).array, F.bilinear(e1, e2, values(plain.W)).array)
    given = L.Bilinear(2, 2, 1, initialW=1.0, initial_bias=(2.0, 3.0, np.array([4.0], np.float32)))
    assert given.V2 is not None and given.b is not None
    np.testing.assert_array_equal(values(given.V2), np.full((2, 1), 3.0, np.float32))
    np.testing.assert_array_equal(values(given.b), [4.0])
    with pytest.raises(ValueError, match="initial_bias"):
        L.Bilinear(2, 2, 1, initial_bias=(1.0, 2.0))  # type: ignore[arg-type]  # the mistake under test


# ------------------------------------------------------------- MLPConvolution2D


def test_mlp_convolution() -> None:
    mlp = L.MLPConvolution2D(3, (4, 5, 2), 3, pad=1)
    assert len(mlp) == 3 and all(isinstance(c, L.Convolution2D) for c in mlp)
    assert [n for n, _ in mlp.namedparams()] == ["/0/W", "/0/b", "/1/W", "/1/b", "/2/W", "/2/b"]
    assert values(mlp[0].W).shape == (4, 3, 3, 3) and mlp[0].pad == (1, 1)
    assert values(mlp[1].W).shape == (5, 4, 1, 1) and values(mlp[2].W).shape == (2, 5, 1, 1)
    x = _x((2, 3, 5, 5))
    want = mlp[2](F.relu(mlp[1](F.relu(mlp[0](x)))))
    np.testing.assert_array_equal(mlp(x).array, want.array)
    short = L.MLPConvolution2D((4, 2), 3, activation=F.tanh)
    assert short[0].in_channels is None
    y = short(x)
    np.testing.assert_array_equal(y.array, short[1](F.tanh(short[0](x))).array)
    with pytest.raises(ValueError, match="at least one"):
        L.MLPConvolution2D(3, (), 3)


# ---------------------------------------------------------- Inception, InceptionBN


def test_inception() -> None:
    inc = L.Inception(3, 2, 2, 3, 1, 2, 2)
    names = [n for n, _ in inc.namedparams()]
    assert names == [f"/{c}/{p}" for c in ("conv1", "conv3", "conv5", "proj3", "proj5", "projp") for p in "Wb"]
    assert values(inc.conv5.W).shape == (2, 1, 5, 5) and values(inc.projp.W).shape == (2, 3, 1, 1)
    x = _x((2, 3, 5, 4))
    pool = inc.projp(F.max_pooling_2d(x, 3, stride=1, pad=1))
    want = F.relu(F.concat((inc.conv1(x), inc.conv3(F.relu(inc.proj3(x))), inc.conv5(F.relu(inc.proj5(x))), pool)))
    y = inc(x)
    assert y.shape == (2, 9, 5, 4)
    np.testing.assert_array_equal(y.array, want.array)


def _inception_bn_reference(inc: L.InceptionBN, x: Array) -> Variable:
    """InceptionBN's forward written out with its children."""
    outs: list[Variable] = []
    if inc.conv1 is not None and inc.conv1n is not None:
        outs.append(F.relu(inc.conv1n(inc.conv1(x))))
    outs.append(F.relu(inc.conv3n(inc.conv3(F.relu(inc.proj3n(inc.proj3(x)))))))
    h = F.relu(inc.proj33n(inc.proj33(x)))
    h = F.relu(inc.conv33an(inc.conv33a(h)))
    outs.append(F.relu(inc.conv33bn(inc.conv33b(h))))
    if inc.pooltype == "max":
        p = F.max_pooling_2d(x, 3, stride=inc.stride, pad=1, cover_all=False)
    else:
        p = F.average_pooling_2d(x, 3, stride=inc.stride, pad=1)
    if inc.poolp is not None and inc.poolpn is not None:
        p = F.relu(inc.poolpn(inc.poolp(p)))
    outs.append(p)
    return F.concat(outs, axis=1)


def test_inception_bn_in_both_modes() -> None:
    full = L.InceptionBN(3, 2, 2, 3, 1, 2, "max", proj_pool=2)
    convs = ("conv1", "conv3", "conv33a", "conv33b", "poolp", "proj3", "proj33")
    bns = ("conv1n", "conv33an", "conv33bn", "conv3n", "poolpn", "proj33n", "proj3n")
    assert sorted(n for n, _ in full.namedparams()) == sorted(
        [f"/{c}/W" for c in convs] + [f"/{b}/{p}" for b in bns for p in ("beta", "gamma")])
    x = _x((4, 3, 5, 5))
    reference = full.copy("copy")
    y = full(x)
    assert y.shape == (4, 9, 5, 5)
    np.testing.assert_array_equal(y.array, _inception_bn_reference(reference, x).array)
    np.testing.assert_array_equal(full.conv3n.avg_mean, reference.conv3n.avg_mean)  # both trained once
    with fchain.using_config("train", False):
        np.testing.assert_array_equal(full(x).array, _inception_bn_reference(reference, x).array)
    strided = L.InceptionBN(3, 0, 2, 3, 1, 2, "avg", stride=2)
    assert strided.conv1 is None and strided.conv1n is None and strided.poolp is None
    x2 = _x((2, 3, 6, 5))
    copy = strided.copy("copy")
    y2 = strided(x2)
    assert y2.shape == (2, 8, 3, 3)
    np.testing.assert_array_equal(y2.array, _inception_bn_reference(copy, x2).array)
    wide = L.InceptionBN(3, 0, 2, 3, 1, 2, "max", dtype=np.float64)
    assert wide.conv3n.avg_mean.dtype == np.float64
    with pytest.raises(NotImplementedError, match="pooltype"):
        L.InceptionBN(3, 0, 2, 3, 1, 2, "min")  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(ValueError, match="stride"):
        L.InceptionBN(3, 2, 2, 3, 1, 2, "max", proj_pool=2, stride=2)


# ---------------------------------------------------- files, copies, devices

Make = Callable[[], Link]
Inputs = tuple[tuple[int, ...], ...]
_CONV_KEYS = [f"{c}/{p}" for c in ("conv1", "conv3", "conv5", "proj3", "proj5", "projp") for p in "Wb"]
_BN_FIELDS = ("N", "avg_mean", "avg_var", "beta", "gamma")
_INCEPTION_BN_KEYS = ([f"{c}/W" for c in ("conv3", "conv33a", "conv33b", "poolp", "proj3", "proj33")] +
                      [f"{b}/{f}" for b in ("conv33an", "conv33bn", "conv3n", "poolpn", "proj33n", "proj3n")
                       for f in _BN_FIELDS])
TABLE: list[tuple[str, Make, Make, Inputs, list[str]]] = [
    ("bias", lambda: L.Bias(shape=(3,)), lambda: L.Bias(shape=(3,)), ((2, 3, 2),), ["b"]),
    ("scale", lambda: L.Scale(W_shape=(3,), bias_term=True), lambda: L.Scale(W_shape=(3,), bias_term=True),
     ((2, 3, 2),), ["W", "bias/b"]),
    ("bilinear", lambda: L.Bilinear(3, 2, 4), lambda: L.Bilinear(3, 2, 4), ((2, 3), (2, 2)),
     ["V1", "V2", "W", "b"]),
    ("mlp_convolution_2d", lambda: L.MLPConvolution2D(3, (4, 2), 3), lambda: L.MLPConvolution2D((4, 2), 3),
     ((2, 3, 4, 4),), ["0/W", "0/b", "1/W", "1/b"]),
    ("inception", lambda: L.Inception(3, 2, 2, 3, 1, 2, 2), lambda: L.Inception(None, 2, 2, 3, 1, 2, 2),
     ((2, 3, 4, 4),), _CONV_KEYS),
    ("inception_bn", lambda: L.InceptionBN(3, 0, 2, 3, 1, 2, "avg", proj_pool=2),
     lambda: L.InceptionBN(None, 0, 2, 3, 1, 2, "avg", proj_pool=2), ((2, 3, 4, 4),), _INCEPTION_BN_KEYS),
]
TABLE_IDS = [row[0] for row in TABLE]


def _inputs(shapes: Inputs) -> list[Array]:
    return [_x(s, seed=i) for i, s in enumerate(shapes)]


def _perturbed(make: Make) -> Make:
    """``make`` with every parameter moved off its (often constant) initial value."""
    def build() -> Link:
        link = make()
        for _, param in link.namedparams():
            if param.array is not None:
                values(param)[...] += np.linspace(0.1, 0.5, param.size).reshape(param.shape)
        return link
    return build


@pytest.mark.parametrize(("name", "make", "lazy", "shapes", "keys"), TABLE, ids=TABLE_IDS)
def test_files_round_trip(tmp_path: Path, name: str, make: Make, lazy: Make, shapes: Inputs,
                          keys: list[str]) -> None:
    xs = _inputs(shapes)
    assert_round_trip(tmp_path, _perturbed(make), lazy, lambda link: link(*xs), keys)


@pytest.mark.parametrize(("name", "make", "lazy", "shapes", "keys"), TABLE, ids=TABLE_IDS)
def test_copies(name: str, make: Make, lazy: Make, shapes: Inputs, keys: list[str]) -> None:
    xs = _inputs(shapes)
    assert_copies(make, lambda link: link(*xs))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "make", "lazy", "shapes", "keys"), TABLE, ids=TABLE_IDS)
def test_lazy_link_on_a_device_sizes_itself_there(device: str, name: str, make: Make, lazy: Make,
                                                  shapes: Inputs, keys: list[str]) -> None:
    # A lazy chain draws its lazy children at the first call, after the sized ones
    # (as Chainer does), so the host reference is the same lazy chain.
    assert_device_move(device, lazy, lazy, _inputs(shapes))

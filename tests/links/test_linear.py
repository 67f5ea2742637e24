"""L.Linear: shapes, Chainer's defaults, lazy input size, initializers, errors."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

import fchain
import fchain.links as L
from fchain import Variable, initializers
from fchain.core.backend import to_numpy
from fchain.errors import ShapeError
from tests.conftest import DEVICES
from tests.arrays import values


@pytest.fixture(autouse=True)
def _seeded() -> Iterator[None]:
    saved = initializers.get_rng()
    initializers.set_random_seed(1234)
    yield
    initializers.set_rng(saved)


def test_shapes_defaults_and_forward() -> None:
    f = L.Linear(3, 2)
    assert f.W.shape == (2, 3) and f.W.dtype == np.float32
    assert f.b is not None and f.b.shape == (2,) and (values(f.b) == 0).all()
    assert [name for name, _ in f.namedparams()] == ["/W", "/b"]
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    y = f(x)
    np.testing.assert_allclose(y.array, x @ values(f.W).T + values(f.b), rtol=1e-6)
    assert y.dtype == np.float32


def test_default_W_is_lecun_normal() -> None:
    W = values(L.Linear(400, 300).W)
    assert abs(float(W.mean())) < 5 * math.sqrt(1 / 400) / math.sqrt(W.size)
    assert float(W.std()) == pytest.approx(math.sqrt(1 / 400), rel=0.01)


@pytest.mark.parametrize("make", [lambda: L.Linear(2), lambda: L.Linear(None, 2)], ids=["out-only", "none-in"])
def test_lazy_input_size_comes_from_the_first_batch(make: object) -> None:
    assert callable(make)
    g = make()
    assert isinstance(g, L.Linear)
    assert not g.W.is_initialized and g.in_size is None and g.out_size == 2
    x = np.arange(12, dtype=np.float32).reshape(2, 2, 3)  # non-batch axes flatten to 6
    y = g(x)
    assert g.W.shape == (2, 6) and y.shape == (2, 2)
    assert g.b is not None
    np.testing.assert_allclose(y.array, x.reshape(2, 6) @ values(g.W).T + values(g.b), rtol=1e-6)
    W = g.W.array
    g(x)
    assert g.W.array is W  # initialized once


def test_n_batch_axes() -> None:
    f = L.Linear(None, 4)
    x = np.ones((2, 3, 5), dtype=np.float32)
    y = f(x, n_batch_axes=2)
    assert f.W.shape == (4, 5) and y.shape == (2, 3, 4)
    with pytest.raises(ShapeError, match="Linear"):
        L.Linear(None, 4)(np.ones((3,), np.float32))


def test_nobias_and_explicit_initializers() -> None:
    f = L.Linear(2, 3, nobias=True)
    assert f.b is None and [n for n, _ in f.namedparams()] == ["/W"]
    W0 = np.arange(6, dtype=np.float32).reshape(3, 2)
    g = L.Linear(2, 3, initialW=W0, initial_bias=0.5)
    np.testing.assert_array_equal(g.W.array, W0)
    assert g.b is not None and (values(g.b) == 0.5).all()
    h = L.Linear(4, 4, initialW=initializers.Identity(scale=2.0), initial_bias=initializers.One())
    np.testing.assert_array_equal(h.W.array, 2 * np.eye(4))
    x = np.ones((1, 2), dtype=np.float32)
    np.testing.assert_allclose(g(x).array, x @ W0.T + 0.5)
    k = L.Linear(2, 2, initialW=initializers.Normal(dtype=np.float64), initial_bias=initializers.Zero(np.float64))
    assert k.W.dtype == np.float64
    with pytest.raises(TypeError, match="initialW"):
        L.Linear(2, 2, initialW="lecun")  # type: ignore[arg-type]  # the mistake under test


def test_bad_sizes_are_rejected() -> None:
    with pytest.raises(TypeError, match="in_size"):
        L.Linear("3", 2)  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="out_size"):
        L.Linear(3, 2.5)  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(ShapeError, match="linear"):
        L.Linear(3, 2)(np.ones((2, 4), np.float32))


def test_gradients_reach_W_and_b() -> None:
    f = L.Linear(3, 2)
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    y = f(Variable(x))
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    assert f.W.grad is not None and f.b is not None and f.b.grad is not None
    np.testing.assert_allclose(f.W.grad, np.ones((2, 2)).T @ x)
    np.testing.assert_allclose(f.b.grad, [2.0, 2.0])


def test_repr() -> None:
    assert repr(L.Linear(3, 2)) == "Linear(in_size=3, out_size=2, nobias=False)"
    assert repr(L.Linear(2, nobias=True)) == "Linear(in_size=None, out_size=2, nobias=True)"


@pytest.mark.parametrize("device", DEVICES)
def test_lazy_initialization_on_each_device(device: str) -> None:
    target = fchain.get_device(device)
    initializers.set_random_seed(5)
    f = L.Linear(None, 3).to_device(device)
    y = f(target.send(np.ones((2, 4), np.float32)))
    assert f.W.device == target and y.device == target
    initializers.set_random_seed(5)
    host = L.Linear(4, 3)
    np.testing.assert_array_equal(to_numpy(values(f.W)), values(host.W))
    np.testing.assert_allclose(to_numpy(y.array), np.ones((2, 4)) @ values(host.W).T, rtol=1e-5)

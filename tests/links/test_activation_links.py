"""The activation links PReLU, Swish and Maxout: Chainer's parameters and defaults,
forward against the function each wraps, Maxout's initializer layouts, lazy
sizes, devices, copies and files.

Chainer's own numbers for these links are in ``test_chainer_golden_links.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import fchain.functions as F
import fchain.links as L
from fchain import Link, initializers
from fchain.types import Array
from tests.arrays import values
from tests.conftest import DEVICES
from tests.links.link_checks import assert_copies, assert_device_move, assert_round_trip


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_prelu() -> None:
    shared = L.PReLU()
    assert values(shared.W).shape == () and float(values(shared.W)) == 0.25
    x = _x((2, 3, 4))
    np.testing.assert_array_equal(shared(x).array, F.prelu(x, np.full((), 0.25, np.float32)).array)
    per_channel = L.PReLU((3,), init=np.array([0.1, 0.2, 0.3], np.float32))
    np.testing.assert_array_equal(per_channel(x).array, F.prelu(x, np.array([0.1, 0.2, 0.3], np.float32)).array)
    assert values(L.PReLU(3, init=0.5).W).shape == (3,)
    F.sum(per_channel(x)).backward()
    assert per_channel.W.grad is not None
    np.testing.assert_allclose(per_channel.W.grad, np.where(x < 0, x, 0).sum(axis=(0, 2)), rtol=1e-6)


def test_swish() -> None:
    lazy = L.Swish(None)
    assert not lazy.beta.is_initialized
    x = _x((2, 3, 4))
    y = lazy(x)
    assert values(lazy.beta).shape == (3, 4)
    np.testing.assert_array_equal(values(lazy.beta), np.ones((3, 4), np.float32))
    np.testing.assert_array_equal(y.array, F.swish(x, np.ones((3, 4), np.float32)).array)
    sized = L.Swish((3,), beta_init=0.5)
    np.testing.assert_array_equal(sized(x).array, F.swish(x, np.full(3, 0.5, np.float32)).array)
    assert values(L.Swish(()).beta).shape == ()


def test_maxout_is_linear_then_maxout() -> None:
    m = L.Maxout(5, 3, 2)
    assert [n for n, _ in m.namedparams()] == ["/linear/W", "/linear/b"]
    assert values(m.linear.W).shape == (6, 5) and m.out_size == 3 and m.pool_size == 2
    assert m.linear.b is not None
    values(m.linear.b)[...] = np.arange(6)
    x = _x((4, 5))
    want = F.maxout(F.linear(x, values(m.linear.W), values(m.linear.b)), 2)
    np.testing.assert_array_equal(m(x).array, want.array)
    assert L.Maxout(5, 3, 2, initial_bias=None).linear.b is None


def test_maxout_initializers_in_its_own_layout() -> None:
    W = np.arange(30, dtype=np.float32).reshape(3, 2, 5)  # (out_size, pool_size, in_size)
    b = np.arange(6, dtype=np.float32).reshape(3, 2)
    m = L.Maxout(5, 3, 2, initialW=W, initial_bias=b)
    np.testing.assert_array_equal(values(m.linear.W), W.reshape(6, 5))
    assert m.linear.b is not None
    np.testing.assert_array_equal(values(m.linear.b), b.reshape(6))
    seen: list[tuple[int, ...]] = []

    def fill(a: Array) -> None:
        seen.append(tuple(a.shape))
        a[...] = np.arange(a.size).reshape(a.shape) % 7

    lazy = L.Maxout(None, 3, 2, initialW=fill)
    lazy(_x((1, 4)))
    assert seen == [(3, 2, 4)]
    np.testing.assert_array_equal(values(lazy.linear.W), (np.arange(24) % 7).reshape(6, 4))
    with pytest.raises(ValueError, match="ndim"):
        L.Maxout(5, 3, 2, initialW=W.reshape(6, 5))
    initializers.set_random_seed(3)
    default = L.Maxout(5, 3, 2)
    initializers.set_random_seed(3)
    np.testing.assert_array_equal(values(default.linear.W), values(L.Linear(5, 6).W))  # LeCunNormal on (6, 5)


Make = Callable[[], Link]
TABLE: list[tuple[str, Make, Make, tuple[int, ...], list[str]]] = [
    ("prelu", lambda: L.PReLU((3,)), lambda: L.PReLU((3,)), (2, 3, 2), ["W"]),
    ("swish", lambda: L.Swish((3, 2)), lambda: L.Swish(None), (2, 3, 2), ["beta"]),
    ("maxout", lambda: L.Maxout(6, 2, 3), lambda: L.Maxout(None, 2, 3), (2, 6), ["linear/W", "linear/b"]),
]
TABLE_IDS = [row[0] for row in TABLE]


@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_files_round_trip(tmp_path: Path, name: str, make: Make, lazy: Make, shape: tuple[int, ...],
                          keys: list[str]) -> None:
    x = _x(shape)

    def trained(link: Link) -> None:  # change the parameters from their initial values
        for _, param in link.namedparams():
            values(param)[...] += np.linspace(0.1, 0.5, values(param).size).reshape(param.shape)

    def make_changed() -> Link:
        link = make()
        trained(link)
        return link

    assert_round_trip(tmp_path, make_changed, lazy, lambda link: link(x), keys)


@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_copies(name: str, make: Make, lazy: Make, shape: tuple[int, ...], keys: list[str]) -> None:
    x = _x(shape)
    assert_copies(make, lambda link: link(x))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "make", "lazy", "shape", "keys"), TABLE, ids=TABLE_IDS)
def test_lazy_link_on_a_device_sizes_itself_there(device: str, name: str, make: Make, lazy: Make,
                                                  shape: tuple[int, ...], keys: list[str]) -> None:
    assert_device_move(device, lazy, make, [_x(shape)])

"""The n-step links (NStepLSTM, NStepBiLSTM, NStepGRU, NStepBiGRU and the four
Elman RNNs): Chainer's parameter layout, the sorting of unsorted sequences (each
sequence's result is what it gets alone), zero states for ``None``, dropout,
Chainer's refusals of removed arguments, file round trips and copies.  Chainer's
own numbers are ``test_chainer_golden_seq_links.py``'s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers
from fchain.links.rnn.n_step_rnn import NStepRNNBase, argsort_list_descent, permutate_list
from fchain.types import Array
from tests.arrays import values
from tests.links.link_checks import assert_copies, assert_round_trip

# (class, weights per layer and direction, directions, states)
FAMILIES: list[tuple[type[NStepRNNBase], int, int, int]] = [
    (L.NStepLSTM, 8, 1, 2), (L.NStepBiLSTM, 8, 2, 2), (L.NStepGRU, 6, 1, 1), (L.NStepBiGRU, 6, 2, 1),
    (L.NStepRNNTanh, 2, 1, 1), (L.NStepRNNReLU, 2, 1, 1), (L.NStepBiRNNTanh, 2, 2, 1), (L.NStepBiRNNReLU, 2, 2, 1),
]
IDS = [cls.__name__ for cls, *_ in FAMILIES]


@pytest.fixture(autouse=True)
def _seeded() -> Iterator[None]:
    saved = initializers.get_rng()
    initializers.set_random_seed(1234)
    yield
    initializers.set_rng(saved)


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(link: NStepRNNBase, states: list[Array | None], xs: list[Array]) -> tuple[list[Variable], list[Variable]]:
    """``link(*states, xs)`` as ``(states, ys)`` whatever the family."""
    if isinstance(link, L.NStepLSTM | L.NStepBiLSTM):
        hy, cy, ys = link(states[0], states[1], xs)
        return [hy, cy], ys
    hy, ys = link(states[0], xs)
    return [hy], ys


@pytest.mark.parametrize(("cls", "n_weights", "directions", "n_states"), FAMILIES, ids=IDS)
def test_parameters_are_chainers(cls: type[NStepRNNBase], n_weights: int, directions: int, n_states: int) -> None:
    link = cls(2, 3, 4, 0.25)
    assert len(link) == 2 * directions and link.n_weights == n_weights and link.direction == directions
    assert link.n_layers == 2 and link.out_size == 4 and link.dropout == 0.25 and link.n_cells == n_states
    names = sorted(n for n, _ in link.namedparams())
    assert names == sorted(f"/{k}/{p}{j}" for k in range(2 * directions) for p in "wb" for j in range(n_weights))
    half = n_weights // 2
    for k, layer in enumerate(link):
        for j in range(n_weights):
            columns = 4 if j >= half else 3 if k < directions else 4 * directions
            assert values(getattr(layer, f"w{j}")).shape == (4, columns), (k, j)
            np.testing.assert_array_equal(values(getattr(layer, f"b{j}")), np.zeros(4, np.float32))
    assert [[w.name for w in ws] for ws in link.ws] == [[f"w{j}" for j in range(n_weights)]] * len(link)
    assert link.bs[1][0] is getattr(link[1], "b0")


def test_initializers_are_used() -> None:
    link = L.NStepGRU(1, 2, 3, 0.0, initialW=0.5, initial_bias=0.25)
    for w, b in zip(link.ws[0], link.bs[0]):
        np.testing.assert_array_equal(values(w), np.full(w.shape, 0.5, np.float32))
        np.testing.assert_array_equal(values(b), np.full(3, 0.25, np.float32))


@pytest.mark.parametrize(("cls", "n_weights", "directions", "n_states"), FAMILIES, ids=IDS)
def test_each_sequence_gets_what_it_gets_alone(cls: type[NStepRNNBase], n_weights: int, directions: int,
                                               n_states: int) -> None:
    """Unsorted sequences are sorted for the function and put back: sequence ``i``'s
    outputs and final states are those of a batch holding it alone."""
    link = cls(2, 3, 2, 0.0)
    lengths = [2, 5, 1, 5, 3]
    xs = [_x((n, 3), seed=i) for i, n in enumerate(lengths)]
    states = [_x((2 * directions, len(xs), 2), seed=10 + s) for s in range(n_states)]
    hs, ys = _run(link, list(states), xs)
    assert [y.shape for y in ys] == [(n, 2 * directions) for n in lengths]
    assert all(h.shape == (2 * directions, len(xs), 2) for h in hs)
    for i, x in enumerate(xs):
        alone_hs, (alone_y,) = _run(link, [s[:, i:i + 1] for s in states], [x])
        np.testing.assert_allclose(ys[i].array, alone_y.array, rtol=1e-5, atol=1e-6)
        for h, alone in zip(hs, alone_hs):
            np.testing.assert_allclose(h.array[:, i:i + 1], alone.array, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("cls", "n_weights", "directions", "n_states"), FAMILIES, ids=IDS)
def test_none_states_are_zeros(cls: type[NStepRNNBase], n_weights: int, directions: int, n_states: int) -> None:
    link = cls(1, 2, 3, 0.0)
    xs = [_x((3, 2)), _x((1, 2), seed=1)]
    zeros = np.zeros((directions, 2, 3), np.float32)
    hs, ys = _run(link, [None] * n_states, xs)
    hs0, ys0 = _run(link, [zeros] * n_states, xs)
    for a, b in zip([*hs, *ys], [*hs0, *ys0]):
        np.testing.assert_array_equal(a.array, b.array)
    assert link.init_hx(xs).shape == (directions, 2, 3) and link.init_hx(xs).dtype == np.float32


def test_the_link_runs_the_function() -> None:
    """Sorted sequences go to ``F.n_step_lstm`` as its time steps."""
    link = L.NStepLSTM(2, 3, 4, 0.0)
    xs = [_x((3, 3)), _x((2, 3), seed=1)]
    hx, cx = _x((2, 2, 4), seed=2), _x((2, 2, 4), seed=3)
    hy, cy, ys = link(hx, cx, xs)
    fhy, fcy, fys = F.n_step_lstm(2, 0.0, hx, cx, link.ws, link.bs, F.transpose_sequence(xs))
    np.testing.assert_array_equal(hy.array, fhy.array)
    np.testing.assert_array_equal(cy.array, fcy.array)
    for y, fy in zip(ys, F.transpose_sequence(fys)):
        np.testing.assert_array_equal(y.array, fy.array)


def test_gradients_reach_every_parameter_and_input() -> None:
    link = L.NStepBiGRU(2, 3, 2, 0.0)
    xs = [Variable(_x((2, 3))), Variable(_x((3, 3), seed=1))]
    hy, ys = link(None, xs)
    (F.sum(hy) + F.sum(F.concat(ys, axis=0))).backward()
    for name, param in link.namedparams():
        assert param.grad is not None and np.abs(param.grad).sum() > 0, name
    assert all(x.grad is not None for x in xs)


def test_dropout_only_in_training() -> None:
    link = L.NStepLSTM(2, 3, 3, 0.5)
    xs = [_x((4, 3))]
    with fchain.using_config("train", False):
        a, b = link(None, None, xs)[2][0].array, link(None, None, xs)[2][0].array
    np.testing.assert_array_equal(a, b)
    fchain.graph.random.seed(0)
    c = link(None, None, xs)[2][0].array
    assert not np.array_equal(a, c)


def test_chainers_refusals() -> None:
    with pytest.raises(ValueError, match="use_cudnn"):
        L.NStepLSTM(1, 2, 2, 0.0, use_cudnn=True)
    with pytest.raises(ValueError, match="use_bi_direction"):
        L.NStepGRU(1, 2, 2, 0.0, use_bi_direction=True)
    with pytest.raises(TypeError, match="unexpected"):
        L.NStepRNNTanh(1, 2, 2, 0.0, units=3)
    link = L.NStepRNNReLU(1, 2, 2, 0.0)
    with pytest.raises(ValueError, match="train"):
        link(None, [_x((1, 2))], train=False)
    with pytest.raises(TypeError, match="list or tuple"):
        link(None, _x((1, 2)))  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="n_layers"):
        L.NStepLSTM(0, 2, 2, 0.0)


def test_sorting_helpers() -> None:
    xs = [np.zeros(n) for n in (2, 5, 1, 5)]
    order = argsort_list_descent(xs)
    assert order.dtype == np.int32 and [len(xs[i]) for i in order] == [5, 5, 2, 1]
    names = ["a", "b", "c", "d"]
    shuffled = permutate_list(names, order, inv=False)
    assert permutate_list(shuffled, order, inv=True) == names


def _call(link: Link) -> Variable:
    assert isinstance(link, L.NStepBiLSTM)
    _, _, ys = link(None, None, [_x((3, 2)), _x((2, 2), seed=1)])
    return F.concat(ys, axis=0)


def test_round_trip_and_copies(tmp_path: Path) -> None:
    keys = [f"{k}/{p}{j}" for k in range(4) for p in "wb" for j in range(8)]
    assert_round_trip(tmp_path, lambda: L.NStepBiLSTM(2, 2, 3, 0.0), lambda: L.NStepBiLSTM(2, 2, 3, 0.0), _call,
                      keys)
    assert_copies(lambda: L.NStepBiLSTM(2, 2, 3, 0.0), _call)


def test_ws_follow_copies() -> None:
    """``ws``/``bs`` name the copy's own parameters (Chainer rebuilds them in ``copy``)."""
    link = L.NStepGRU(1, 2, 2, 0.0)
    twin = link.copy("copy")
    assert twin.ws[0][0] is getattr(twin[0], "w0") and twin.ws[0][0] is not link.ws[0][0]

"""The sequence links on a device: moved with ``to_device`` (their parameters, a
stateful link's state, a sampling link's tables, the tree's paths), they compute
what the same link computes on the host, and a training step there gives the
host's gradients.  Each case runs on the CPU too (moving to ``@numpy``: a dry run
of the same code) and on a GPU where CuPy sees one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Link, Variable, initializers
from fchain.core.backend import is_cupy_array, to_numpy
from fchain.types import Array
from tests.conftest import DEVICES

Run = Callable[[Link, Callable[[Array], Array]], list[Variable]]
"""Calls a link on fixed inputs, sent with the given function; returns the outputs."""


def _x(shape: tuple[int, ...], seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _ids(shape: tuple[int, ...], high: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).integers(0, high, shape).astype(np.int32)


def _stateful(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    assert isinstance(link, L.LSTM | L.StatefulGRU | L.StatefulMGU | L.StatefulPeepholeLSTM)
    link.reset_state()
    return [link(send(_x((3, 4), seed=s))) for s in range(3)]


def _n_step(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    xs = [send(_x((n, 4), seed=n)) for n in (2, 4, 1)]
    if isinstance(link, L.NStepLSTM | L.NStepBiLSTM):
        hy, cy, ys = link(None, None, xs)
        return [hy, cy, *ys]
    assert isinstance(link, L.NStepGRU | L.NStepRNNTanh)
    hy, ys = link(send(_x((1, 3, 3), seed=9)), xs)
    return [hy, *ys]


def _negative_sampling(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    assert isinstance(link, L.NegativeSampling)
    fchain.graph.random.seed(5)
    return [link(send(_x((4, 4))), send(_ids((4,), 5)))]


def _black_out(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    assert isinstance(link, L.BlackOut)
    link.sample_data = send(_ids((4, 2), 5, seed=1))
    return [link(send(_x((4, 4))), send(_ids((4,), 5)))]


def _hsm(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    assert isinstance(link, L.BinaryHierarchicalSoftmax)
    return [link(send(_x((4, 4))), send(np.array([0, 3, 1, 2], np.int32)))]


def _crf(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    assert isinstance(link, L.CRF1d)
    xs = [send(_x((n, 3), seed=n)) for n in (2, 3)]
    ys = [send(_ids((n,), 3, seed=n)) for n in (2, 3)]
    return [link(xs, ys, transpose=True)]


def _embed(link: Link, send: Callable[[Array], Array]) -> list[Variable]:
    return [link(send(_ids((2, 3), 5)))]


CASES: dict[str, tuple[Callable[[], Link], Run]] = {
    "embed_id": (lambda: L.EmbedID(5, 4), _embed),
    "lstm": (lambda: L.LSTM(None, 3), _stateful),
    "gru": (lambda: L.StatefulGRU(4, 3), _stateful),
    "mgu": (lambda: L.StatefulMGU(4, 3), _stateful),
    "peephole": (lambda: L.StatefulPeepholeLSTM(4, 3), _stateful),
    "n_step_lstm": (lambda: L.NStepBiLSTM(2, 4, 3, 0.0), _n_step),
    "n_step_gru": (lambda: L.NStepGRU(1, 4, 3, 0.0), _n_step),
    "n_step_rnn": (lambda: L.NStepRNNTanh(1, 4, 3, 0.0), _n_step),
    "negative_sampling": (lambda: L.NegativeSampling(4, [1, 2, 3, 2, 1], 2), _negative_sampling),
    "black_out": (lambda: L.BlackOut(4, [1, 2, 3, 2, 1], 2), _black_out),
    "hierarchical_softmax": (lambda: L.BinaryHierarchicalSoftmax(4, ((0, 1), (2, 3))), _hsm),
    "crf1d": (lambda: L.CRF1d(3, initial_cost=0.5), _crf),
}


def _made(make: Callable[[], Link]) -> Link:
    initializers.set_random_seed(3)
    link = make()
    if isinstance(link, L.NegativeSampling | L.BlackOut):
        link.W.array = _x(link.W.shape, seed=7)
    return link


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_link_computes_on_the_device_what_it_computes_on_the_host(name: str, device: str) -> None:
    make, run = CASES[name]
    target = fchain.get_device(device)
    host = _made(make)
    moved = _made(make).to_device(device)
    initializers.set_random_seed(4)  # a lazily sized link draws on its first call
    want = run(host, lambda a: a)
    initializers.set_random_seed(4)
    got = run(moved, target.send)
    assert len(got) == len(want)
    for y, w in zip(got, want):
        assert y.device == target
        np.testing.assert_allclose(to_numpy(y.array), w.array, rtol=1e-5, atol=1e-6)
    for link in (host, moved):
        link.cleargrads()
        loss = F.sum(F.concat([F.reshape(y, (-1,)) for y in (want if link is host else got)], axis=0))
        loss.backward()
    host_grads = {n: p.grad for n, p in host.namedparams()}
    for n, p in moved.namedparams():
        assert p.device == target, n
        g, h = p.grad, host_grads[n]
        assert (g is None) == (h is None), n
        if g is not None and h is not None:
            np.testing.assert_allclose(to_numpy(g), h, rtol=1e-4, atol=1e-5, err_msg=n)


@pytest.mark.parametrize("device", DEVICES)
def test_state_and_tables_move_with_the_link(device: str) -> None:
    target = fchain.get_device(device)
    lstm = L.LSTM(4, 3)
    lstm(_x((2, 4)))
    lstm.to_device(device)
    assert lstm.c is not None and lstm.h is not None
    assert lstm.c.device == target and lstm.h.device == target
    assert lstm(target.send(_x((2, 4), seed=1))).device == target
    lstm.to_device("@numpy")
    assert lstm.h is not None and not is_cupy_array(lstm.h.array)
    sampler = L.NegativeSampling(4, [1, 2, 3], 2).to_device(device)
    assert sampler.sampler.device == target
    tree = L.BinaryHierarchicalSoftmax(2, (0, 1)).to_device(device)
    assert fchain.backend.get_device_from_array(tree.paths) == target

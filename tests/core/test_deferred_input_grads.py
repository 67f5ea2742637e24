"""Input gradients that wait (``DeferredMatmul``): ``linear``'s ``gx`` of a few
rows goes unevaluated to ``embed_id``, whose scatter stacks the steps' products
into one GEMM, and is evaluated at once for every other consumer; sums evaluated
together stack a shared tuple of factors once.

What is checked: the gradients equal the eager ones (through ``backward``,
``retain_grad``, ``fchain.grad``, ``ignore_label``, a second consumer, a leaf
input), the embedding's sum really holds the products unevaluated, and no other
op ever sees a ``DeferredMatmul``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.core import deferred_grad, workspace
from fchain.core.deferred_grad import DeferredMatmul, ProductSum, RowScatter, evaluate
from fchain.core.node import Node
from fchain.core.traversal import backpropagate
from fchain.graph import backprop
from fchain.ops.connection.embed_id import EMBED_ID
from fchain.types import Array
from tests.conftest import DEVICES

STEPS, BATCH, VOCAB, UNITS, OUT = 6, 5, 7, 3, 4


def _cpu(a: Array | None) -> Array:
    """A gradient or parameter array (it must exist) on the CPU."""
    assert a is not None
    out: Array = fchain.backends.cuda.to_cpu(a)
    return out


def _model(seed: int = 0, xp_send: Any = None) -> tuple[fchain.Parameter, fchain.Parameter, Array]:
    rng = numpy.random.default_rng(seed)
    send = (lambda a: a) if xp_send is None else xp_send
    E = fchain.Parameter(send(rng.standard_normal((VOCAB, UNITS))))
    W = fchain.Parameter(send(rng.standard_normal((OUT, UNITS))))
    ids = send(rng.integers(0, VOCAB, (STEPS, BATCH)))
    return E, W, ids


def _loss(E: fchain.Parameter, W: fchain.Parameter, ids: Array, ignore_label: int | None = None
          ) -> fchain.Variable:
    total: fchain.Variable | None = None
    for t in range(ids.shape[0]):
        y = F.tanh(F.linear(F.embed_id(ids[t], E, ignore_label=ignore_label), W))
        total = F.sum(y * y) if total is None else total + F.sum(y * y)
    assert total is not None
    return total


@pytest.fixture
def eager_embed_id() -> Iterator[None]:
    """While inside, ``embed_id`` does not take deferred products: the traversal
    evaluates ``linear``'s ``gx`` before the scatter, as for any other op."""
    object.__setattr__(EMBED_ID, "accepts_deferred_matmul", False)
    try:
        yield
    finally:
        object.__setattr__(EMBED_ID, "accepts_deferred_matmul", True)


def _grads(ignore_label: int | None = None, device: str = "@numpy") -> list[Array]:
    dev = fchain.get_device(device)
    E, W, ids = _model(xp_send=dev.send)
    if ignore_label is not None:
        ids[::2, 0] = ignore_label
    _loss(E, W, ids, ignore_label).backward()
    assert E.grad is not None and W.grad is not None
    return [fchain.backends.cuda.to_cpu(E.grad), fchain.backends.cuda.to_cpu(W.grad)]


@pytest.mark.parametrize("ignore_label", [None, 2])
@pytest.mark.parametrize("device", DEVICES)
def test_the_embedding_gets_the_eager_gradient(device: str, ignore_label: int | None,
                                               eager_embed_id: None) -> None:
    eager = _grads(ignore_label, device)
    object.__setattr__(EMBED_ID, "accepts_deferred_matmul", True)
    deferred = _grads(ignore_label, device)
    for e, d in zip(eager, deferred):
        numpy.testing.assert_allclose(d, e, rtol=1e-12, atol=1e-12)


def test_the_embeddings_sum_holds_the_products_unevaluated() -> None:
    """The traversal's result for ``E`` is one scatter whose values are the steps'
    ``gy_t W`` not yet computed, all with ``W``'s array as right factor; every
    rule on the way saw arrays only."""
    E, W, ids = _model()
    loss = _loss(E, W, ids)
    seen: list[tuple[str, object]] = []

    def spy(node: Node, grads: tuple[object, ...]) -> None:
        seen.extend((node.op.name, g) for g in grads)

    result = backpropagate([(loss, numpy.ones(()))], backprop._ARRAYS, on_node=spy)
    by_leaf = {id(var): g for var, g in result.leaves.values()}
    scatter = by_leaf[id(E)]
    assert isinstance(scatter, RowScatter) and len(scatter.values) == STEPS
    assert all(isinstance(v, DeferredMatmul) and v.right is W.array for v in scatter.values)
    assert isinstance(by_leaf[id(W)], ProductSum)
    handed = [(name, g) for name, g in seen if isinstance(g, DeferredMatmul)]
    assert handed and all(name == "linear" for name, _ in handed)  # made by linear, taken only by embed_id


def test_the_products_are_one_gemm_when_the_scatter_is_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    E, W, ids = _model()
    calls: list[tuple[int, ...]] = []
    real = workspace.matmul

    def counting(xp: Any, a: Array, b: Array) -> Array:
        calls.append(tuple(a.shape))
        return real(xp, a, b)

    monkeypatch.setattr(workspace, "matmul", counting)
    _loss(E, W, ids).backward()
    assert (STEPS * BATCH, OUT) in calls  # the stacked gy_t times W, once


@pytest.mark.parametrize("device", DEVICES)
def test_any_other_consumer_gets_an_array(device: str) -> None:
    """A linear's input made by ``tanh``, a leaf input Variable, and an embedding
    output read by a second op: the gradients are the eager ones."""
    dev = fchain.get_device(device)
    rng = numpy.random.default_rng(3)
    E, W, ids = _model(1, dev.send)
    x = fchain.Variable(dev.send(rng.standard_normal((BATCH, UNITS))))
    e = F.embed_id(ids[0], E)
    h = F.tanh(x)
    loss = F.sum(F.linear(h, W) ** 2) + F.sum(F.linear(x, W)) + F.sum(F.linear(e, W)) + F.sum(e * e)
    loss.backward(retain_grad=True)
    Wa, xa, Ea = _cpu(W.array), _cpu(x.array), _cpu(E.array)
    ids0 = _cpu(ids[0])
    hy = numpy.tanh(xa) @ Wa.T
    gh = (2 * hy) @ Wa
    gx = gh * (1 - numpy.tanh(xa) ** 2) + numpy.ones((BATCH, OUT)) @ Wa
    numpy.testing.assert_allclose(_cpu(h.grad), gh, rtol=1e-12)
    numpy.testing.assert_allclose(_cpu(x.grad), gx, rtol=1e-12)
    ge = numpy.ones((BATCH, OUT)) @ Wa + 2 * Ea[ids0]
    numpy.testing.assert_allclose(_cpu(e.grad), ge, rtol=1e-12)
    gE = numpy.zeros_like(Ea)
    numpy.add.at(gE, ids0, ge)
    numpy.testing.assert_allclose(_cpu(E.grad), gE, rtol=1e-12)


def test_grad_and_retain_grad_hand_out_arrays() -> None:
    E, W, ids = _model(2)
    e = F.embed_id(ids[0], E)
    loss = F.sum(F.linear(e, W))
    ge, gE = fchain.grad([loss], [e, E])
    assert ge is not None and gE is not None
    assert isinstance(ge.array, numpy.ndarray)
    numpy.testing.assert_allclose(ge.array, numpy.ones((BATCH, OUT)) @ _cpu(W.array), rtol=1e-12)
    loss = F.sum(F.linear(e, W))
    loss.backward(retain_grad=True)
    assert isinstance(e.grad, numpy.ndarray)
    numpy.testing.assert_allclose(e.grad, ge.array, rtol=1e-12)
    numpy.testing.assert_allclose(_cpu(E.grad), gE.array, rtol=1e-12)


def test_a_deferred_product_evaluates_to_the_product() -> None:
    rng = numpy.random.default_rng(4)
    left, right = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    product = DeferredMatmul(left, right)
    assert product.shape == (5, 2)
    numpy.testing.assert_array_equal(evaluate(product), left @ right)
    keep = numpy.array([True, False, True, True, False])
    numpy.testing.assert_array_equal(evaluate(product.rows(keep)), (left @ right)[keep])
    mixed = RowScatter((4, 2), (numpy.array([0, 3]), numpy.array([1, 0, 1, 2, 3])),
                       (rng.standard_normal((2, 2)), product), 7)
    expected = numpy.zeros((4, 2))
    first = mixed.values[0]
    assert isinstance(first, numpy.ndarray)
    numpy.add.at(expected, numpy.array([0, 3, 1, 0, 1, 2, 3]), numpy.concatenate([first, left @ right]))
    numpy.testing.assert_allclose(evaluate(mixed), expected, rtol=1e-12)


def test_sums_evaluated_together_stack_shared_factors_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two weights whose deferred sums share their left factors (one ``gy`` per
    step, as a recurrent unit's input and recurrent weights do): the leaves'
    evaluation stacks those factors once, and each sum is still its own."""
    rng = numpy.random.default_rng(5)
    gys = tuple(rng.standard_normal((4, 6)) for _ in range(5))
    xs = tuple(rng.standard_normal((4, 3)) for _ in range(5))
    hs = tuple(rng.standard_normal((4, 2)) for _ in range(5))
    stacked: list[int] = []
    real = workspace.concatenate

    def counting(xp: Any, arrays: tuple[Array, ...]) -> Array:
        stacked.append(len(arrays))
        return real(xp, arrays)

    monkeypatch.setattr(workspace, "concatenate", counting)
    stacks: deferred_grad.Stacks = {}
    a = evaluate(ProductSum(gys, xs, 20), stacks)
    b = evaluate(ProductSum(gys, hs, 20), stacks)
    assert len(stacked) == 3  # gys once, xs, hs
    numpy.testing.assert_allclose(a, sum(g.T @ x for g, x in zip(gys, xs)), rtol=1e-12)
    numpy.testing.assert_allclose(b, sum(g.T @ h for g, h in zip(gys, hs)), rtol=1e-12)

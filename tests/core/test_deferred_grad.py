"""Deferred parameter gradients (``fchain.core.deferred_grad``): the sums the
traversal builds from ``linear``'s and ``embed_id``'s first-order rules.

Unit properties of the sums (a single use is the op's own result bit for bit, any
order of combination gives the sum of the pieces, the row bound, deferred meeting
dense), then the graph: a weight used at every step of a loop gets the sum of its
per-step gradients, on the CPU and the GPU, through ``backward``, ``fchain.grad``,
``retain_grad``, debug mode and a weight that is itself computed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fchain
import fchain.functions as F
from fchain.core import backend, workspace
from fchain.core.deferred_grad import (
    MAX_DEFERRED_ROWS,
    DeferredGrad,
    ProductSum,
    RowScatter,
    add_gradients,
    evaluate,
)
from fchain.core.op import Op
from fchain.core.registry import all_ops
from fchain.core.spec import GradSpec
from fchain.graph.backprop import dense_grad
from fchain.testing.draws import RandomDraw
from fchain.types import Array
from tests.conftest import DEVICES

F64 = numpy.float64


def _rng(seed: int = 0) -> numpy.random.Generator:
    return numpy.random.default_rng(seed)


# -- the sums -----------------------------------------------------------------

def test_a_single_product_is_the_products_bits() -> None:
    rng = _rng()
    gy = rng.standard_normal((20, 30)).astype(numpy.float32)
    x = rng.standard_normal((20, 7)).astype(numpy.float32)
    numpy.testing.assert_array_equal(evaluate(ProductSum.of(gy, x)), gy.T @ x)


def test_a_single_scatter_is_the_scatters_bits() -> None:
    rng = _rng()
    ids = numpy.array([3, 1, 3, 0], numpy.int32)
    values = rng.standard_normal((4, 5))
    expected = numpy.zeros((6, 5))
    numpy.add.at(expected, ids, values)
    numpy.testing.assert_array_equal(evaluate(RowScatter.of((6, 5), ids, values)), expected)


@st.composite
def _pieces(draw: st.DrawFn) -> tuple[str, list[tuple[Array, Array]], tuple[int, int]]:
    kind = draw(st.sampled_from(["product", "scatter"]))
    n_out, n_in = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    rng = _rng(draw(st.integers(0, 2**16)))
    pieces: list[tuple[Array, Array]] = []
    for _ in range(draw(st.integers(1, 6))):
        rows = draw(st.integers(0, 4))
        if kind == "product":
            pieces.append((rng.standard_normal((rows, n_out)), rng.standard_normal((rows, n_in))))
        else:
            pieces.append((rng.integers(0, n_out, rows), rng.standard_normal((rows, n_in))))
    return kind, pieces, (n_out, n_in)


def _deferred(kind: str, left: Array, right: Array, shape: tuple[int, int]) -> DeferredGrad:
    return ProductSum.of(left, right) if kind == "product" else RowScatter.of(shape, left, right)


def _eager(kind: str, left: Array, right: Array, shape: tuple[int, int]) -> Array:
    if kind == "product":
        return left.T @ right
    out = numpy.zeros(shape)
    numpy.add.at(out, left, right)
    return out


@settings(max_examples=60, deadline=None)
@given(case=_pieces(), order=st.randoms(use_true_random=False), dense_at=st.integers(-1, 5))
def test_any_order_of_combination_gives_the_sum_of_the_pieces(
        case: tuple[str, list[tuple[Array, Array]], tuple[int, int]], order: Any, dense_at: int) -> None:
    """Pieces combined left to right in a random order (one of them, when
    ``dense_at`` names it, given as an evaluated array) sum to the eager sum."""
    kind, pieces, shape = case
    terms: list[Array | DeferredGrad] = [
        _eager(kind, l, r, shape) if k == dense_at else _deferred(kind, l, r, shape)
        for k, (l, r) in enumerate(pieces)]
    order.shuffle(terms)
    total = terms[0]
    for term in terms[1:]:
        total = add_gradients(total, term)
    expected = sum((_eager(kind, l, r, shape) for l, r in pieces), numpy.zeros(shape))
    numpy.testing.assert_allclose(dense_grad(total), expected, rtol=1e-12, atol=1e-12)


def test_the_factors_held_stay_under_the_row_bound() -> None:
    """Beyond ``MAX_DEFERRED_ROWS`` the factors held are evaluated into the base;
    the total is still the sum."""
    rng = _rng()
    step = 100
    pieces = [(rng.standard_normal((step, 3)), rng.standard_normal((step, 2)))
              for _ in range(3 * MAX_DEFERRED_ROWS // step)]
    total: Array | DeferredGrad = ProductSum.of(*pieces[0])
    for left, right in pieces[1:]:
        total = add_gradients(total, ProductSum.of(left, right))
        assert isinstance(total, ProductSum) and total.rows <= MAX_DEFERRED_ROWS
    assert isinstance(total, ProductSum) and total.base is not None
    expected = sum((l.T @ r for l, r in pieces), numpy.zeros((3, 2)))
    numpy.testing.assert_allclose(evaluate(total), expected, rtol=1e-12)


def test_sums_of_different_dtypes_or_kinds_are_computed_not_mixed() -> None:
    rng = _rng()
    a64, b64 = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    a32, b32 = a64.astype(numpy.float32), b64.astype(numpy.float32)
    mixed = add_gradients(ProductSum.of(a64, b64), ProductSum.of(a32, b32))
    assert isinstance(mixed, numpy.ndarray) and mixed.dtype == F64
    numpy.testing.assert_allclose(mixed, a64.T @ b64 + a32.T @ b32, rtol=1e-6)
    ids = numpy.array([0, 2, 2, 1])
    kinds = add_gradients(ProductSum.of(a64, b64), RowScatter.of((3, 2), ids, b64))
    scattered = numpy.zeros((3, 2))
    numpy.add.at(scattered, ids, b64)
    assert isinstance(kinds, numpy.ndarray)
    numpy.testing.assert_allclose(kinds, a64.T @ b64 + scattered, rtol=1e-12)


def test_evaluating_leaves_the_sum_as_it_was() -> None:
    rng = _rng()
    base = rng.standard_normal((3, 2))
    kept = base.copy()
    deferred = ProductSum((rng.standard_normal((4, 3)),), (rng.standard_normal((4, 2)),), 4, base)
    first = evaluate(deferred)
    numpy.testing.assert_array_equal(evaluate(deferred), first)
    numpy.testing.assert_array_equal(base, kept)


def test_a_large_sum_reuses_pooled_memory_that_nothing_holds() -> None:
    """A recurrent step's sums (a few megabytes of stacked factors and product)
    come from the workspace pool: a dropped result's memory serves the next
    evaluation, a held one's never does, and the values are the plain product's."""
    workspace.clear()
    rng = _rng()
    steps = [(rng.standard_normal((20, 800)).astype(numpy.float32),
              rng.standard_normal((20, 200)).astype(numpy.float32)) for _ in range(8)]
    deferred = ProductSum(tuple(gy for gy, _ in steps), tuple(x for _, x in steps), 160)
    expected = numpy.concatenate([gy for gy, _ in steps]).T @ numpy.concatenate([x for _, x in steps])
    assert expected.nbytes >= workspace.MIN_BYTES
    first = evaluate(deferred)
    numpy.testing.assert_array_equal(first, expected)
    held = evaluate(deferred)
    assert not numpy.shares_memory(held, first)  # ``first`` is still held here
    pooled = [buf for bufs in workspace._POOL.values() for buf in bufs]
    assert any(buf is first for buf in pooled) and any(buf is held for buf in pooled)
    first_id = id(first)
    del first, pooled
    again = evaluate(deferred)
    assert id(again) == first_id  # the same pooled array, handed out again
    numpy.testing.assert_array_equal(again, expected)
    numpy.testing.assert_array_equal(held, expected)  # untouched by the evaluation after it
    workspace.clear()


# -- the ops that defer --------------------------------------------------------

DEFERRING = sorted((op for op in all_ops().values() if op.first_order_vjp is not None),
                   key=lambda op: op.name)


def test_linear_and_embed_id_defer() -> None:
    assert {op.name for op in DEFERRING} >= {"linear", "embed_id"}


@pytest.mark.parametrize("op", DEFERRING, ids=lambda op: op.name)
def test_the_first_order_rule_gives_the_rules_gradients(op: Op[Any]) -> None:
    """On the op's own sample cases, ``first_order_vjp``'s gradients, evaluated,
    are ``vjp``'s bit for bit (one use: nothing is summed in another order)."""
    spec = op.spec
    assert isinstance(spec, GradSpec) and op.first_order_vjp is not None
    for seed in range(40):
        case = spec.sample(RandomDraw(seed))
        variables = [fchain.Variable(a) for a in case.inputs]
        y = case.call(*variables)
        assert isinstance(y, fchain.Variable)
        node = y.creator_node
        assert node is not None and node.op is op
        gy = numpy.random.default_rng(seed).standard_normal(y.shape)
        expected = op.vjp(backend.NUMPY, node.residuals, (gy,), node.params)
        found = op.first_order_vjp(backend.NUMPY, node.residuals, (gy,), node.params)
        assert len(found) == len(expected)
        for e, f in zip(expected, found):
            if e is None:
                assert f is None
            else:
                assert f is not None
                numpy.testing.assert_array_equal(dense_grad(f), e)


def _per_step_sum(loss_of: Callable[[int], fchain.Variable], params: list[fchain.Parameter],
                  steps: int) -> list[Array]:
    """Each step's gradients by its own backward, summed."""
    totals = [numpy.zeros(p.shape) for p in params]
    for t in range(steps):
        grads = fchain.grad([loss_of(t)], list(params))
        for total, g in zip(totals, grads):
            if g is not None:
                total += fchain.backends.cuda.to_cpu(g.array)
    return totals


@pytest.mark.parametrize("device", DEVICES)
def test_a_weight_used_at_every_step_gets_the_sum_of_its_gradients(device: str) -> None:
    """A recurrence of ``embed_id``, ``linear`` and ``tanh`` over 40 steps of a
    batch of 30 (every weight deferred, ``MAX_DEFERRED_ROWS`` crossed): the
    gradients of the summed loss equal the sum of each step's own, and a numerical
    gradient."""
    dev = fchain.get_device(device)
    rng = _rng(1)
    steps, batch, units, vocab = 40, 30, 4, 6
    assert steps * batch > MAX_DEFERRED_ROWS
    E = fchain.Parameter(dev.send(rng.standard_normal((vocab, units))))
    W = fchain.Parameter(dev.send(rng.standard_normal((units, units)) * 0.5))
    U = fchain.Parameter(dev.send(rng.standard_normal((units, units)) * 0.5))
    b = fchain.Parameter(dev.send(rng.standard_normal(units)))
    ids = dev.send(rng.integers(0, vocab, (steps, batch)))
    params = [E, W, U, b]

    def run(upto: int) -> list[fchain.Variable]:
        h = fchain.Variable(dev.send(numpy.zeros((batch, units))))
        losses = []
        for t in range(upto):
            h = F.tanh(F.linear(F.embed_id(ids[t], E), W, b) + F.linear(h, U))
            losses.append(F.sum(h * h))
        return losses

    losses = run(steps)
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    total.backward()
    expected = _per_step_sum(lambda t: run(t + 1)[t], params, steps)
    for p, e in zip(params, expected):
        assert p.grad is not None
        numpy.testing.assert_allclose(fchain.backends.cuda.to_cpu(p.grad), e, rtol=1e-10, atol=1e-10)
    fchain.gradient_check.check_backward(
        lambda E_, W_, U_, b_: _recurrence(ids[:6], E_, W_, U_, b_, batch, units, dev),
        tuple(_data(p) for p in params), None, eps=1e-6, atol=1e-6, rtol=1e-5)


def _data(p: fchain.Parameter) -> Array:
    data = p.array
    assert data is not None
    return data


def _recurrence(ids: Array, E: fchain.Variable, W: fchain.Variable, U: fchain.Variable,
                b: fchain.Variable, batch: int, units: int, dev: Any) -> fchain.Variable:
    h = fchain.Variable(dev.send(numpy.zeros((batch, units))))
    total: fchain.Variable | None = None
    for t in range(ids.shape[0]):
        h = F.tanh(F.linear(F.embed_id(ids[t], E), W, b) + F.linear(h, U))
        total = F.sum(h) if total is None else total + F.sum(h)
    assert total is not None
    return total


def test_a_computed_weight_receives_its_deferred_gradient() -> None:
    """``W = 2 V`` used three times, and once more densely in ``sum(W * W)``: the
    deferred sum flows on into ``V``'s gradient, and ``retain_grad`` gives ``W`` an
    array."""
    rng = _rng(2)
    V = fchain.Parameter(rng.standard_normal((3, 2)))
    xs = [rng.standard_normal((4, 2)) for _ in range(3)]
    W = V * 2.0
    loss = F.sum(W * W)
    for x in xs:
        loss = loss + F.sum(F.linear(x, W))
    loss.backward(retain_grad=True)
    Wv = 2.0 * _data(V)
    expected_gW = 2 * Wv
    for x in xs:
        expected_gW = expected_gW + numpy.ones((4, 3)).T @ x
    assert isinstance(W.grad, numpy.ndarray) and isinstance(V.grad, numpy.ndarray)
    numpy.testing.assert_allclose(W.grad, expected_gW, rtol=1e-12)
    numpy.testing.assert_allclose(V.grad, 2 * expected_gW, rtol=1e-12)


def test_grad_and_debug_mode_hand_out_arrays() -> None:
    rng = _rng(3)
    W = fchain.Parameter(rng.standard_normal((3, 2)))
    E = fchain.Parameter(rng.standard_normal((5, 2)))
    x = rng.standard_normal((4, 2))

    def loss() -> fchain.Variable:
        return F.sum(F.linear(x, W)) + F.sum(F.linear(F.embed_id(numpy.array([1, 4, 1]), E), W))

    gW, gE = fchain.grad([loss()], [W, E])
    assert gW is not None and gE is not None
    assert isinstance(gW.array, numpy.ndarray) and isinstance(gE.array, numpy.ndarray)
    with fchain.using_config("debug", True):
        loss().backward()
    assert isinstance(W.grad, numpy.ndarray) and isinstance(E.grad, numpy.ndarray)
    numpy.testing.assert_allclose(W.grad, gW.array, rtol=1e-12)
    numpy.testing.assert_allclose(E.grad, gE.array, rtol=1e-12)

"""Graph edge cases of the pure backward traversal, through the public API."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import fchain
import fchain.functions as F
from fchain import Variable
from fchain.errors import GraphError


def f32(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def test_diamond_sums_both_paths() -> None:
    x = Variable(f32(1.5, -2.0))
    a = x * 3.0
    b = F.exp(x)
    y = a + b  # both paths lead back to x
    y.grad = np.ones(2, dtype=np.float32)
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, 3.0 + np.exp(x.array), rtol=1e-6)


def test_variable_used_twice_in_one_op() -> None:
    x = Variable(f32(3.0))
    y = x * x
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [6.0])


def test_unused_input_gets_no_gradient() -> None:
    x = Variable(f32(1.0))
    unused = Variable(f32(2.0))
    y = x * 2.0
    y.backward()
    assert unused.grad is None
    assert x.grad is not None


def test_constant_array_operand_gets_no_gradient_and_is_not_a_graph_input() -> None:
    x = Variable(f32(1.0, 2.0))
    c = f32(3.0, 4.0)
    y = F.sum(x * c)
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, c)
    node = (x * c).creator
    assert node is not None and node.inputs[1] is None


def test_long_chain_needs_no_recursion() -> None:
    limit = sys.getrecursionlimit()
    x = Variable(f32(0.5))
    y = x
    for _ in range(max(10_000, 2 * limit)):
        y = y * 1.0
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [1.0])


def test_gradients_accumulate_across_backward_calls() -> None:
    x = Variable(f32(2.0))
    (x * 3.0).backward()
    (x * 4.0).backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [7.0])
    x.cleargrad()
    assert x.grad is None


def test_backward_twice_on_one_graph_accumulates() -> None:
    x = Variable(f32(2.0))
    y = F.exp(x)
    y.backward()
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, 2 * np.exp(x.array), rtol=1e-6)


def test_intermediate_gradients_are_freed_unless_retained() -> None:
    x = Variable(f32(5.0))
    z = 2 * x
    y = x**2 - z + 1
    y.backward()
    assert z.grad is None
    z2 = 2 * x
    y2 = x**2 - z2 + 1
    y2.backward(retain_grad=True)
    assert z2.grad is not None
    np.testing.assert_allclose(z2.grad, [-1.0])


def test_larger_output_without_grad_is_a_clear_error() -> None:
    x = Variable(f32(1.0, 2.0))
    y = x * 2.0
    with pytest.raises(GraphError, match=r"shape \(2,\)"):
        y.backward()


def test_backward_on_a_leaf_does_nothing() -> None:
    x = Variable(f32(1.0))
    x.backward()
    assert x.grad is None


def test_no_backprop_mode_builds_no_graph_and_force_mode_restores_it() -> None:
    x = Variable(f32(1.0))
    with fchain.no_backprop_mode():
        y = x * 2.0
        with fchain.force_backprop_mode():
            z = x * 3.0
    assert y.creator is None
    assert z.creator is not None
    w = y * x  # y is a leaf now: gradient stops there
    w.backward()
    assert y.grad is not None and x.grad is not None
    np.testing.assert_allclose(x.grad, y.array)


def test_unchain_backward_cuts_every_upstream_link() -> None:
    x = Variable(f32(1.0))
    h = F.exp(x * 2.0)
    y = h + 1.0
    y.unchain_backward()
    assert y.creator is None
    assert h.creator is None
    y2 = h * 3.0
    y2.backward()
    assert x.grad is None
    assert h.grad is not None


def test_unchain_makes_a_leaf() -> None:
    x = Variable(f32(1.0))
    h = x * 2.0
    h.unchain()
    (h * 3.0).backward()
    assert x.grad is None
    assert h.grad is not None
    np.testing.assert_allclose(h.grad, [3.0])


def test_requires_grad_false_blocks_gradient() -> None:
    x = Variable(f32(1.0), requires_grad=False)
    w = Variable(f32(2.0))
    (x * w).backward()
    assert x.grad is None
    assert w.grad is not None


def test_broadcasting_is_unsummed_once() -> None:
    x = Variable(np.ones((3, 4), dtype=np.float32))
    b = Variable(f32(1.0, 2.0, 3.0, 4.0))
    y = F.sum(x * b)
    y.backward()
    assert b.grad is not None and b.grad.shape == (4,)
    np.testing.assert_allclose(b.grad, [3.0] * 4)


def test_traversal_order_is_deterministic() -> None:
    def run() -> list[str]:
        x = Variable(f32(1.0))
        a = x * 2.0
        b = x + 1.0
        c = a * b
        d = F.exp(a) + c
        order: list[str] = []
        from fchain.core.traversal import backpropagate
        from fchain.graph.backprop import _ARRAYS

        backpropagate([(d, np.ones(1, np.float32))], _ARRAYS,
                      on_node=lambda node, grads: order.append(node.op.name))
        return order

    assert run() == run()
    assert run()[0] == "add"  # the last op runs first


def test_multiple_outputs_backward_together() -> None:
    x = Variable(f32(1.0, 2.0))
    y1 = x * 2.0
    y2 = F.exp(x)
    fchain.backward([y1, y2], [np.ones(2, np.float32), np.full(2, 0.5, np.float32)])
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, 2.0 + 0.5 * np.exp(x.array), rtol=1e-6)


def test_intermediate_gradient_memory_is_released() -> None:
    import weakref

    x = Variable(np.ones(1000, dtype=np.float32))
    y = F.exp(x)
    z = F.sum(y * 2.0)
    refs: list[weakref.ReferenceType[np.ndarray]] = []
    from fchain.core.traversal import backpropagate
    from fchain.graph.backprop import _ARRAYS

    def keep(node: object, grads: tuple[object, ...]) -> None:
        for g in grads:
            if isinstance(g, np.ndarray) and g.size == 1000:
                refs.append(weakref.ref(g))

    result = backpropagate([(z, np.ones((), np.float32))], _ARRAYS, on_node=keep)
    assert refs
    # Only the leaf gradient is still referenced once the traversal returned.
    leaf = result.leaves[id(x)][1]
    alive = [r() for r in refs if r() is not None]
    assert all(a is leaf for a in alive)


def test_make_node_builds_the_same_frozen_node() -> None:
    import dataclasses

    from fchain.core.node import Node, make_node

    fields = [f.name for f in dataclasses.fields(Node)]
    values: list[object] = [object(), (1, 2), (None,), (), (), (), 7, "here"]
    fast = make_node(*values)  # type: ignore[arg-type]  # placeholder field values
    slow = Node(*values)  # type: ignore[arg-type]  # placeholder field values
    assert type(fast) is Node
    for name, value in zip(fields, values):
        assert getattr(fast, name) is value and getattr(slow, name) is value
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.index = 8  # type: ignore[misc]  # the assignment under test
    assert make_node(*values[:7]).created_at is None  # type: ignore[arg-type]  # placeholder field values


def _graphs() -> list[tuple[str, Variable, list[Variable]]]:
    """Losses over graphs with every delivery case: fan-out into one node, a
    multi-output op with an unused output, broadcasting, a frozen leaf, a leaf
    used twice by one op, and a long chain."""
    rng = np.random.default_rng(7)
    a = Variable(rng.standard_normal((3, 4)))
    b = Variable(rng.standard_normal((4,)))
    frozen = Variable(rng.standard_normal((3, 4)), requires_grad=False)
    c = Variable(rng.standard_normal((3, 4)))
    h = F.tanh(a * b + frozen)
    parts = F.split_axis(h * c, 2, axis=1)
    diamond = F.sum(parts[0] * parts[0] + F.exp(h)[:, :2] + a[:, 1:3] * a[:, 1:3])
    x = Variable(rng.standard_normal((2, 2)))
    y = x
    for _ in range(50):
        y = F.sin(y) + y * 0.5
    return [("diamond", diamond, [a, b, c, frozen]), ("chain", F.sum(y * y), [x])]


@pytest.mark.parametrize("which", ["diamond", "chain"])
def test_every_backward_option_gives_the_same_leaf_gradients(which: str) -> None:
    """One traversal serves every caller: ``backward()``, ``backward(retain_grad=True)``
    (which records intermediates), ``fchain.grad`` (which wants some outputs) and
    the traversal called directly give the leaves the same gradients, bit for bit."""
    from fchain.core.traversal import backpropagate
    from fchain.graph import backprop

    name, loss, leaves = next(g for g in _graphs() if g[0] == which)
    seed = np.ones((), dtype=loss.dtype)
    direct = backpropagate([(loss, seed)], backprop._ARRAYS).leaves
    assert len(direct) == sum(1 for v in leaves if v.requires_grad)
    loss.backward()
    plain = {id(v): v.grad for v in leaves if v.requires_grad}
    for v in leaves:
        v.cleargrad()
    loss.backward(retain_grad=True)
    retained = {id(v): v.grad for v in leaves if v.requires_grad}
    wanted = [v for v in leaves if v.requires_grad]
    by_grad = fchain.grad([loss], wanted)
    for v, g in zip(wanted, by_grad):
        assert g is not None and plain[id(v)] is not None
        np.testing.assert_array_equal(direct[id(v)][1], plain[id(v)])
        np.testing.assert_array_equal(retained[id(v)], plain[id(v)])
        np.testing.assert_array_equal(g.array, plain[id(v)])


def test_a_running_sum_nothing_else_holds_is_accumulated_in_place() -> None:
    """The traversal's ``add(entry[1], g)`` on a running sum that only its entry
    holds writes into it (a parameter used at every step of a loop sums its
    gradients in one buffer), and a loop's gradients stay exact."""
    from fchain.graph.backprop import _IN_PLACE_FROM, _accumulate

    n = _IN_PLACE_FROM
    entry = (None, np.ones(n, np.float32))
    out = _accumulate(entry[1], np.full(n, 2.0, np.float32))
    assert out is entry[1]
    np.testing.assert_array_equal(out, np.full(n, 3.0, np.float32))
    W = fchain.Parameter(np.full((32, 32), 0.5, np.float32))
    x = np.ones((4, 32), np.float32)
    loss = F.sum(F.linear(x, W))
    for t in range(2, 6):
        loss = loss + F.sum(F.linear(x * t, W))
    loss.backward()
    assert W.grad is not None
    np.testing.assert_array_equal(W.grad, np.full((32, 32), 4.0 * (1 + 2 + 3 + 4 + 5), np.float32))


def test_a_small_running_sum_takes_a_fresh_sum() -> None:
    """Below ``_IN_PLACE_FROM`` elements the sum is fresh (cheaper than the tests)."""
    from fchain.graph.backprop import _IN_PLACE_FROM, _accumulate

    entry = (None, np.ones(_IN_PLACE_FROM - 1, np.float32))
    out = _accumulate(entry[1], np.ones(_IN_PLACE_FROM - 1, np.float32))
    assert out is not entry[1]
    np.testing.assert_array_equal(entry[1], np.ones(_IN_PLACE_FROM - 1, np.float32))
    np.testing.assert_array_equal(out, np.full(_IN_PLACE_FROM - 1, 2.0, np.float32))


def test_a_gradient_seen_elsewhere_is_never_written_into() -> None:
    """Arrays another holder can see (a retained gradient, a view, a shared
    object) take a fresh sum."""
    from fchain.graph.backprop import _IN_PLACE_FROM, _accumulate

    n = _IN_PLACE_FROM
    held = np.ones(n)
    keep = (None, held)  # the traversal's entry, and a second reference
    out = _accumulate(keep[1], np.ones(n))
    assert out is not held and np.array_equal(held, np.ones(n))
    base = np.ones(2 * n)
    entry = (None, base[:n])
    out = _accumulate(entry[1], np.ones(n))
    assert np.array_equal(base, np.ones(2 * n)), "a view's base was written"
    alone = (None, np.ones(n, np.float32))
    out = _accumulate(alone[1], np.ones(n))  # another dtype: promoted, not in place
    assert isinstance(out, np.ndarray) and out.dtype == np.float64


def test_a_read_only_running_sum_takes_a_fresh_sum() -> None:
    """A running sum nothing else holds but that is read-only (a rule may return
    such an array) is not written into: the sum is fresh and the array unchanged."""
    from fchain.graph.backprop import _IN_PLACE_FROM, _accumulate

    n = _IN_PLACE_FROM
    frozen = np.ones(n, np.float32)
    frozen.setflags(write=False)
    entry = (None, frozen)
    del frozen
    out = _accumulate(entry[1], np.full(n, 2.0, np.float32))
    assert out is not entry[1]
    np.testing.assert_array_equal(out, np.full(n, 3.0, np.float32))
    np.testing.assert_array_equal(entry[1], np.ones(n, np.float32))

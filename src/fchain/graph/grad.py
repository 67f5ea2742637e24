"""``fchain.grad``: gradients of outputs with respect to chosen inputs, without
touching any ``.grad`` (Chainer's ``chainer.grad``).

It runs the same traversal as ``Variable.backward`` (``fchain.graph.backprop``),
asking it for the gradients of the wanted intermediate outputs as well as the
leaves', and returns them instead of accumulating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from fchain.core.traversal import backpropagate
# The same algebras and helpers as ``backward``: this module is that one's other half.
from fchain.graph.backprop import _ARRAYS, _VARIABLES, _debug_hook, _grad_holder, _ones, _seed, dense_grad
from fchain.graph.config import force_backprop_mode, hot_flags
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["grad"]


def grad(outputs: Sequence[Variable], inputs: Sequence[Variable],
         grad_outputs: Sequence[Variable | Array | None] | None = None,
         grad_inputs: Sequence[Variable | Array | None] | None = None,
         set_grad: bool = False, retain_grad: bool = False,
         enable_double_backprop: bool = False,
         loss_scale: float | None = None) -> list[Variable | None]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    As Chainer's ``chainer.grad``: returns one Variable (or ``None`` where no path
    leads) per input; ``grad_inputs`` are added to the results; ``set_grad`` also
    stores them in each input's ``grad_var``; ``enable_double_backprop`` records the
    computation so the results can be differentiated again.
    """
    outputs = list(outputs)
    inputs = list(inputs)
    for name, seq in (("outputs", outputs), ("inputs", inputs)):
        for i, v in enumerate(seq):
            if not isinstance(v, Variable):
                raise TypeError(f"grad: {name}[{i}] must be a Variable, got {type(v).__name__}")
    gys = list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(gys) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(gys)} grad_outputs")
    # As Chainer: a missing output gradient is ones of the output's shape (any
    # shape), and ``y.grad`` is not read; ``loss_scale`` scales only those ones.
    seeds = [(y, _seed(y, gy, "grad") if gy is not None else Variable(
        _ones(y.array, loss_scale), requires_grad=False))
        for y, gy in zip(outputs, gys)]
    wanted = [(v._creator, v._index) for v in inputs if v._creator is not None]
    hook = _debug_hook if hot_flags()[1] else None
    found: dict[tuple[int, int], Variable] = {}
    leaf_found: dict[int, Variable] = {}
    graph_seeds = [(y, seed) for y, seed in seeds if y._creator is not None]
    # An output that is itself one of the inputs contributes its seed directly.
    direct: dict[int, Variable] = {}
    for y, seed in seeds:
        for x in inputs:
            if x is y:
                direct[id(x)] = seed if id(x) not in direct else direct[id(x)] + seed
    if enable_double_backprop:
        res_v = backpropagate([(y, g) for y, g in graph_seeds], _VARIABLES,
                              record_intermediates=retain_grad, wanted=wanted, on_node=hook)
        for node, j, gv in res_v.intermediates:
            found[(id(node), j)] = gv
        for key, (_, gv) in res_v.leaves.items():
            leaf_found[key] = gv
    else:
        res_a = backpropagate([(y, cast(Array, g._data)) for y, g in graph_seeds], _ARRAYS,
                              record_intermediates=retain_grad, wanted=wanted, on_node=hook)
        for node, j, ga in res_a.intermediates:
            found[(id(node), j)] = _grad_holder(dense_grad(ga))
        for key, (_, ga) in res_a.leaves.items():
            leaf_found[key] = _grad_holder(dense_grad(ga))
    if retain_grad:
        _store_intermediates(graph_seeds, found)
    results: list[Variable | None] = []
    extra = list(grad_inputs) if grad_inputs is not None else [None] * len(inputs)
    for x, gx0 in zip(inputs, extra):
        if x._creator is None:
            g = leaf_found.get(id(x))
        else:
            g = found.get((id(x._creator), x._index))
        d = direct.get(id(x))
        if d is not None:
            g = d if g is None else _sum(g, d, enable_double_backprop)
        if gx0 is not None:
            g0 = gx0 if isinstance(gx0, Variable) else Variable(gx0, requires_grad=False)
            g = g0 if g is None else _sum(g, g0, enable_double_backprop)
        results.append(g)
        if set_grad:
            x._grad_var = g
    return results


def _store_intermediates(seeds: Sequence[tuple[Variable, Variable]],
                         found: dict[tuple[int, int], Variable]) -> None:
    """``retain_grad``: give every still-alive intermediate output its gradient."""
    seen: set[int] = set()
    stack = [y._creator for y, _ in seeds if y._creator is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for j, ref in enumerate(node.outputs):
            alive = ref()
            g = found.get((id(node), j))
            if isinstance(alive, Variable) and g is not None:
                alive._grad_var = g
        stack.extend(v._creator for v in node.inputs if v is not None and v._creator is not None)


def _sum(a: Variable, b: Variable, recorded: bool) -> Variable:
    if recorded:
        with force_backprop_mode():
            return a + b
    return _grad_holder(a.array + b.array)

"""The backward traversal: seeds in, gradients out, nothing mutated.

Iterative (a 10,000-op chain needs no recursion), deterministic (nodes are visited
in decreasing creation index, a valid topological order because every input of a
node was created before it), and frugal: a node's output gradients are dropped as
soon as its vjp ran, so at any moment only the gradients on the frontier are alive.
Un-broadcasting happens here, once, instead of in every rule.

The traversal is generic over the gradient type ``G``: raw arrays for first order,
``Variable`` for a backward pass that is itself recorded (double backprop).  What
differs between the two lives in a ``GradAlgebra``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from fchain.core.node import GraphVar, Node
from fchain.types import Shape

__all__ = ["BackwardResult", "GradAlgebra", "backpropagate"]

G = TypeVar("G")


class GradAlgebra(Protocol[G]):
    """The operations the traversal performs on gradients of type ``G``."""

    def vjp(self, node: Node, grad_outputs: tuple[G, ...]) -> tuple[G | None, ...]: ...

    def add(self, a: G, b: G) -> G: ...

    def unbroadcast(self, g: G, shape: Shape) -> G: ...

    def zeros(self, node: Node, output_index: int) -> G: ...


@dataclass(slots=True)
class BackwardResult(Generic[G]):
    """Gradients of the leaves reached, by ``id`` of the leaf variable, and, when
    asked for, of intermediate outputs as ``(node, output_index, gradient)``."""

    leaves: dict[int, tuple[GraphVar, G]] = field(default_factory=dict)
    intermediates: list[tuple[Node, int, G]] = field(default_factory=list)


def backpropagate(
    seeds: Sequence[tuple[GraphVar, G]],
    algebra: GradAlgebra[G],
    *,
    record_intermediates: bool = False,
    wanted: Collection[tuple[Node, int]] = (),
    on_node: Callable[[Node, tuple[G | None, ...]], None] | None = None,
) -> BackwardResult[G]:
    """Propagate ``seeds`` (variable, gradient) back to every reachable leaf.

    ``record_intermediates`` keeps every intermediate output's gradient (Chainer's
    ``retain_grad``); ``wanted`` keeps only those of the listed outputs.  ``on_node``
    sees each node's input gradients as they are made (debug checks use it).
    """
    result: BackwardResult[G] = BackwardResult()
    leaves = result.leaves
    # Nodes waiting for their vjp, keyed by their negated creation index: the heap
    # holds those plain ints (cheap to compare), so it pops the newest node first.
    pending: dict[int, tuple[Node, list[G | None]]] = {}
    heap: list[int] = []
    heappush = heapq.heappush
    heappop = heapq.heappop
    add = algebra.add
    unbroadcast = algebra.unbroadcast
    vjp = algebra.vjp
    wanted_set = set((id(n), i) for n, i in wanted) if wanted else None
    keep = record_intermediates or bool(wanted_set)

    # One delivery loop for the seeds and for every node's input gradients.
    todo: Iterable[tuple[GraphVar | None, G | None]] = seeds
    node: Node | None = None
    while True:
        for var, g in todo:
            if g is None or var is None or (node is not None and not var.requires_grad):
                continue
            shape = var._data.shape
            if g.shape != shape:  # type: ignore[attr-defined]  # arrays and Variables both have .shape
                g = unbroadcast(g, shape)
            creator = var._creator
            if creator is None:
                key = id(var)
                previous = leaves.get(key)
                leaves[key] = (var, g if previous is None else add(previous[1], g))
                continue
            k = -creator.index
            entry = pending.get(k)
            if entry is None:
                n_out = len(creator.outputs)
                if n_out == 1:
                    pending[k] = (creator, [g])
                    heappush(heap, k)
                    continue
                slots: list[G | None] = [None] * n_out
                pending[k] = (creator, slots)
                heappush(heap, k)
            else:
                slots = entry[1]
            index = var._index
            previous_g = slots[index]
            slots[index] = g if previous_g is None else add(previous_g, g)
        if not heap:
            return result
        node, slots = pending.pop(heappop(heap))
        if len(slots) == 1:
            grads: tuple[G, ...] = (slots[0],)  # type: ignore[assignment]  # delivered, so not None
        else:
            grads = tuple(g if g is not None else algebra.zeros(node, i) for i, g in enumerate(slots))
        if keep:
            for i, kept in enumerate(slots):
                if kept is not None and (record_intermediates or (id(node), i) in wanted_set):  # type: ignore[operator]  # not None when keep and not record_intermediates
                    result.intermediates.append((node, i, kept))
        input_grads = vjp(node, grads)
        if on_node is not None:
            on_node(node, input_grads)
        todo = zip(node.inputs, input_grads)


def leaf_gradients(
    seeds: Sequence[tuple[GraphVar, G]],
    vjp: Callable[[Node, tuple[G, ...]], tuple[G | None, ...]],
    unbroadcast: Callable[[G, Shape], G],
    zeros: Callable[[Node, int], G],
) -> dict[int, tuple[GraphVar, G]]:
    """``backpropagate(seeds, algebra).leaves`` where the algebra adds with ``+``:
    the plain first-order ``backward()``, without intermediates or hooks.

    The same visiting order and the same sums in the same order as
    ``backpropagate`` (so the results are bit for bit the same), with single-output
    nodes, almost all of them, waiting for their gradient without a slot list.
    """
    leaves: dict[int, tuple[GraphVar, G]] = {}
    # Negated creation index -> the node and its output gradient (single-output
    # nodes) or its list of output gradient slots.
    pending: dict[int, tuple[Node, object]] = {}
    heap: list[int] = []
    heappush = heapq.heappush
    heappop = heapq.heappop
    todo: Iterable[tuple[GraphVar | None, G | None]] = seeds
    check_requires_grad = False
    check_shapes = True
    while True:
        for var, g in todo:
            if g is None or var is None or (check_requires_grad and not var.requires_grad):
                continue
            if check_shapes:
                shape = var._data.shape
                if g.shape != shape:  # type: ignore[attr-defined]  # arrays and Variables both have .shape
                    g = unbroadcast(g, shape)
            creator = var._creator
            if creator is None:
                key = id(var)
                previous = leaves.get(key)
                leaves[key] = (var, g) if previous is None else (var, previous[1] + g)  # type: ignore[operator]  # gradients add
                continue
            k = -creator.index
            entry = pending.get(k)
            n_out = len(creator.outputs)
            if n_out == 1:
                if entry is None:
                    pending[k] = (creator, g)
                    heappush(heap, k)
                else:
                    pending[k] = (creator, entry[1] + g)  # type: ignore[operator]  # gradients add
                continue
            if entry is None:
                slots: list[G | None] = [None] * n_out
                pending[k] = (creator, slots)
                heappush(heap, k)
            else:
                slots = entry[1]  # type: ignore[assignment]  # a multi-output node's slots
            index = var._index
            previous_g = slots[index]
            slots[index] = g if previous_g is None else previous_g + g  # type: ignore[operator]  # gradients add
        if not heap:
            return leaves
        check_requires_grad = True
        node, held = pending.pop(heappop(heap))
        grads: tuple[G, ...]
        if type(held) is list:
            grads = tuple(g if g is not None else zeros(node, i) for i, g in enumerate(held))
        else:
            grads = (held,)  # type: ignore[assignment]  # a single-output node's gradient (no cast(): it is a call)
        check_shapes = node.op.broadcasts
        todo = zip(node.inputs, vjp(node, grads))

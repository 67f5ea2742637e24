"""The backward traversal: seeds in, gradients out, nothing mutated.

Iterative (a 10,000-op chain needs no recursion), deterministic (nodes are visited
in decreasing creation index, a valid topological order because every input of a
node was created before it), and frugal: a node's output gradients are dropped as
soon as its vjp ran, so at any moment only the gradients on the frontier are alive.
Un-broadcasting happens here, once, instead of in every rule.

The traversal is generic over the gradient type ``G``: raw arrays for first order
(where a leaf's may be a sum not yet computed, see ``fchain.core.deferred_grad``),
``Variable`` for a backward pass that is itself recorded (double backprop).  What
differs between the two lives in a ``GradAlgebra``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

from fchain.core.node import GraphVariable, Node
from fchain.types import Shape

__all__ = ["BackwardResult", "GradAlgebra", "backpropagate"]

G = TypeVar("G")


class GradAlgebra(Protocol[G]):
    """The operations the traversal performs on gradients of type ``G``."""

    def vjp(self, node: Node, grad_outputs: tuple[G, ...]) -> tuple[G | None, ...]: ...

    def add(self, a: G, b: G) -> G: ...

    def unbroadcast(self, g: G, shape: Shape) -> G: ...

    def zeros(self, node: Node, output_index: int) -> G: ...


class BackwardResult(Generic[G]):
    """Gradients of the leaves reached, by ``id`` of the leaf variable, and, when
    asked for, of intermediate outputs as ``(node, output_index, gradient)``."""

    __slots__ = ("leaves", "intermediates")

    def __init__(self) -> None:
        self.leaves: dict[int, tuple[GraphVariable, G]] = {}
        self.intermediates: list[tuple[Node, int, G]] = []


def backpropagate(
    seeds: Sequence[tuple[GraphVariable, G]],
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

    Gradients reaching a variable are un-broadcast to its shape, except those of
    an op that declares ``broadcasts=False`` (its rule returns them in shape).  A
    single-output node, almost every node, waits for its gradient without a slot
    list; a multi-output node gets one slot per output, and an output that received
    nothing is given ``algebra.zeros``.  Seeds are delivered even to variables with
    ``requires_grad=False``; gradients of a node's inputs only to those without.
    """
    # ``BackwardResult()``, without the call of its ``__init__`` (every backward runs this).
    result: BackwardResult[G] = object.__new__(BackwardResult)
    leaves: dict[int, tuple[GraphVariable, G]] = {}
    intermediates: list[tuple[Node, int, G]] = []
    result.leaves = leaves
    result.intermediates = intermediates
    # Nodes waiting for their vjp, keyed by their negated creation index: the heap
    # holds those plain ints (cheap to compare), so it pops the newest node first.
    # The value is the node and its output gradient (single-output nodes) or its
    # list of output-gradient slots.
    pending: dict[int, tuple[Node, object]] = {}
    heap: list[int] = []
    heappush = heapq.heappush
    heappop = heapq.heappop
    add = algebra.add
    unbroadcast = algebra.unbroadcast
    vjp = algebra.vjp
    wanted_set = set([(id(n), i) for n, i in wanted]) if wanted else None
    keep = record_intermediates or wanted_set is not None

    # One delivery loop for the seeds and for every node's input gradients.
    todo: Iterable[tuple[GraphVariable | None, G | None]] = seeds
    check_requires_grad = False
    check_shapes = True
    while True:
        for var, g in todo:
            if g is None or var is None or (check_requires_grad and not var.requires_grad):
                continue
            if check_shapes:
                shape = var._data.shape  # type: ignore[union-attr]  # a graph variable holds an array
                if g.shape != shape:  # type: ignore[attr-defined]  # arrays and Variables both have .shape
                    g = unbroadcast(g, shape)
            creator = var._creator
            if creator is None:
                key = id(var)
                previous = leaves.get(key)
                leaves[key] = (var, g) if previous is None else (var, add(previous[1], g))
                continue
            k = -creator.index
            entry = pending.get(k)
            n_out = len(creator.outputs)
            if n_out == 1:
                if entry is None:
                    pending[k] = (creator, g)
                    heappush(heap, k)
                else:
                    pending[k] = (creator, add(entry[1], g))  # type: ignore[arg-type]  # a single-output node's gradient
                continue
            if entry is None:
                slots: list[G | None] = [None] * n_out
                pending[k] = (creator, slots)
                heappush(heap, k)
            else:
                slots = entry[1]  # type: ignore[assignment]  # a multi-output node's slots
            index = var._index
            previous_g = slots[index]
            slots[index] = g if previous_g is None else add(previous_g, g)
        if not heap:
            return result
        check_requires_grad = True
        node, held = pending.pop(heappop(heap))
        grads: tuple[G, ...]
        if type(held) is list:
            grads = tuple([g if g is not None else algebra.zeros(node, i) for i, g in enumerate(held)])
            if keep:
                for i, kept in enumerate(held):
                    if kept is not None and (record_intermediates or (id(node), i) in wanted_set):  # type: ignore[operator]  # a set unless record_intermediates
                        intermediates.append((node, i, kept))
        else:
            grads = (held,)  # type: ignore[assignment]  # a single-output node's gradient
            if keep and (record_intermediates or (id(node), 0) in wanted_set):  # type: ignore[operator]  # as above
                intermediates.append((node, 0, held))  # type: ignore[arg-type]  # as above
        check_shapes = node.op.broadcasts
        input_grads = vjp(node, grads)
        if on_node is not None:
            on_node(node, input_grads)
        todo = zip(node.inputs, input_grads)

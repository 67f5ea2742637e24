"""Graph nodes: one immutable record per op application.

A node is created once, after its op's forward ran, and never changes.  It holds
the op, its parameters, the input variables (``None`` for constants), the residuals
the op's vjp needs, weak references to its output variables (so ``retain_grad`` and
double backprop can find them without keeping them alive) and its creation index,
which gives the backward traversal a deterministic topological order: every input
of a node was created before the node.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from fchain.core.op import Op
from fchain.types import Array

__all__ = ["GraphVariable", "Node", "make_node"]


class GraphVariable:
    """The part of a variable the core reads: its array, the node that made it
    (``None`` for a leaf), which of that node's outputs it is, and whether a
    gradient may flow into it.

    ``fchain.Variable`` extends this record with everything users see (gradients,
    names, operators, devices); the core reads and writes these four fields only,
    so they are its own, not another layer's private attributes.  ``_data`` is
    ``None`` only in a Parameter that has not been initialized yet, which is never
    part of a graph.
    """

    __slots__ = ("_data", "_creator", "_index", "requires_grad")

    _data: Array | None
    _creator: Node | None
    _index: int
    requires_grad: bool


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class Node:
    """One application of ``op``; see the module docstring."""

    op: Op[Any]  # Any: a node of any op; each op (Op[P]) knows its own params type
    params: Any  # Any: the params of ``op``, of the type that op declares
    inputs: tuple[GraphVariable | None, ...]
    residuals: tuple[Array, ...]
    outputs: tuple[weakref.ReferenceType[Any], ...]  # Any: weak references to the output Variables (a layer above)
    output_arrays: tuple[Array, ...]
    """The output arrays.  Double backprop finds outputs among the residuals by
    identity, and a multi-output op's unused outputs get zero gradients of their
    shape and dtype.  Keeping them costs little: almost always a consumer node or
    the rule's own residuals hold them anyway."""
    index: int
    created_at: str | None = None
    """Where the op was called (recorded in debug mode only)."""

    @property
    def name(self) -> str:
        """The op's name, as Chainer's ``FunctionNode.label``."""
        return self.op.name

    @property
    def label(self) -> str:
        return self.op.name

    @property
    def rank(self) -> int:
        """Length of the longest path from a leaf (computed on demand)."""
        ranks: dict[int, int] = {}
        stack: list[tuple[Node, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            key = id(node)
            if key in ranks:
                continue
            parents = [v._creator for v in node.inputs if v is not None and v._creator is not None]
            if expanded or not parents:
                ranks[key] = 1 + max((ranks[id(p)] for p in parents), default=-1)
                continue
            stack.append((node, True))
            stack.extend((p, False) for p in parents if id(p) not in ranks)
        return ranks[id(self)]

    def __repr__(self) -> str:
        return f"<Node {self.op.name} #{self.index}>"


class _MakeNode(Protocol):
    def __call__(self, op: Op[Any], params: Any, inputs: tuple[GraphVariable | None, ...],
                 residuals: tuple[Array, ...], outputs: tuple[weakref.ReferenceType[Any], ...],
                 output_arrays: tuple[Array, ...], index: int,
                 created_at: str | None = None) -> Node: ...


def _node_builder() -> _MakeNode:
    """``make_node``, with the slot descriptors' setters in its closure."""
    new = object.__new__
    s_op, s_params, s_inputs, s_residuals, s_outputs, s_arrays, s_index, s_created = (
        getattr(Node, name).__set__ for name in (
            "op", "params", "inputs", "residuals", "outputs", "output_arrays", "index", "created_at"))

    def make_node(op: Op[Any], params: Any, inputs: tuple[GraphVariable | None, ...],
                  residuals: tuple[Array, ...], outputs: tuple[weakref.ReferenceType[Any], ...],
                  output_arrays: tuple[Array, ...], index: int, created_at: str | None = None) -> Node:
        """``Node(op, params, ...)``, built in half the time: the frozen dataclass's
        ``__init__`` sets each field through ``object.__setattr__``; this writes the
        slots through their descriptors.  The result is the same immutable ``Node``
        (every field set, assignment still refused); ``apply`` builds one per op call."""
        node: Node = new(Node)
        s_op(node, op)
        s_params(node, params)
        s_inputs(node, inputs)
        s_residuals(node, residuals)
        s_outputs(node, outputs)
        s_arrays(node, output_arrays)
        s_index(node, index)
        s_created(node, created_at)
        return node

    return make_node


make_node: _MakeNode = _node_builder()

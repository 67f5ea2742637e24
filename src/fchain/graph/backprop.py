"""``Variable.backward`` and ``fchain.backward`` (``fchain.grad`` is in ``fchain.graph.grad``).

These call the pure traversal of ``fchain.core.traversal`` with one of two gradient
algebras, then write the results back: that write-back is the only mutation.

* First order: gradients are raw arrays and each node's rule runs on its arrays'
  own namespace (numpy or CuPy).
* Double backprop: gradients are Variables and each rule runs on the second-order
  namespace, so the backward pass is itself recorded and can be differentiated.
  That namespace is made of fchain's functions, a layer above this one: the
  functions layer hands it over with ``install_second_order`` when it loads.

Importing this module installs ``Variable.backward``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy

from fchain.core import backend
from fchain.core.broadcast import sum_to
from fchain.core.deferred_grad import (
    DeferredGrad,
    DeferredMatmul,
    ProductSum,
    RowScatter,
    Stacks,
    add_gradients,
    evaluate,
)
from fchain.core.node import GraphVariable, Node
from fchain.core.traversal import BackwardResult, GradAlgebra, backpropagate
from fchain.errors import GraphError, NotDoubleDifferentiableError
from fchain.graph.apply import check_finite
from fchain.graph.config import force_backprop_mode, hot_flags
from fchain.graph.variable import Variable, as_variable, install
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["SecondOrder", "backward", "backward_from", "dense_grad", "install_second_order"]

_ndarray = numpy.ndarray
_NUMPY = backend.NUMPY
_new = object.__new__


FirstOrderGrad = Array | DeferredGrad
"""A gradient on the first-order pass: an array, or a parameter's gradient whose
sum over its uses is computed when the traversal ends."""


def dense_grad(g: FirstOrderGrad, stacks: Stacks | None = None) -> Array:
    """``g`` as an array (a deferred sum evaluated, with ``stacks`` if given)."""
    return evaluate(g, stacks) if isinstance(g, (ProductSum, RowScatter, DeferredMatmul)) else g


def _array_vjp(node: Node, grad_outputs: tuple[FirstOrderGrad, ...]) -> tuple[FirstOrderGrad | None, ...]:
    """Run ``node``'s first-order rule on arrays, in the namespace of the gradients
    (numpy returns scalars from 0-d arithmetic: they become arrays).  A gradient
    the rule deferred stays deferred only when it goes to a leaf or to an op that
    takes it (``_finished``): the output gradients here are arrays, or a
    ``DeferredMatmul`` for an op that declares ``accepts_deferred_matmul``."""
    # Arrays, but for the ops that take a DeferredMatmul (they test for it).
    arrays: tuple[Array, ...] = grad_outputs  # type: ignore[assignment]  # see above
    g0 = arrays[0]
    xp = _NUMPY if type(g0) is _ndarray else backend.namespace_of(g0.first if isinstance(g0, DeferredMatmul) else g0)
    op = node.op
    rule = op.first_order_vjp
    grads = (op.vjp if rule is None else rule)(xp, node.residuals, arrays, node.params)
    for g in grads:
        if type(g) is not _ndarray and g is not None and not backend.is_cupy_array(g):
            return _finished(node, xp, grads)
    return grads


def _finished(node: Node, xp: ArrayNamespace, grads: tuple[FirstOrderGrad | None, ...]
              ) -> tuple[FirstOrderGrad | None, ...]:
    """``grads`` with scalars made arrays, deferred sums for computed inputs
    evaluated, and deferred products for any input but one whose creator takes
    them."""
    out: list[FirstOrderGrad | None] = []
    for x, g in zip(node.inputs, grads):
        if g is None or type(g) is _ndarray or backend.is_cupy_array(g):
            out.append(g)
        elif type(g) is ProductSum or type(g) is RowScatter:
            out.append(g if x is None or x._creator is None else evaluate(g))
        elif type(g) is DeferredMatmul:
            creator = None if x is None else x._creator
            out.append(g if creator is not None and creator.op.accepts_deferred_matmul else evaluate(g))
        else:
            out.append(xp.asarray(g))
    return tuple(out)


def _unbroadcast(g: FirstOrderGrad, shape: Shape) -> FirstOrderGrad:
    dense = dense_grad(g)
    return sum_to(backend.namespace_of(dense), dense, shape)


def _zeros(node: Node, output_index: int) -> Array:
    like = node.output_arrays[output_index]
    return backend.namespace_of(like).zeros_like(like)


_getrefcount = sys.getrefcount


def _held_by(holder: tuple[object, Array]) -> int:
    """``getrefcount`` of an array held only by a tuple, seen from inside ``_accumulate``
    when the traversal calls ``add(entry[1], g)`` (measured once, below)."""
    return _probe(holder[1], _PROBE_OTHER)


def _probe(a: Array, b: Array) -> int:
    return _getrefcount(a)


_PROBE_OTHER = numpy.empty(1)


_EXCLUSIVE = _held_by((None, numpy.empty(1)))
"""The reference count of a running sum that nothing but the traversal holds."""


_IN_PLACE_FROM = 1024
"""The size from which ``_accumulate`` tests whether it may add in place (below it
the tests cost about what a fresh sum does: measured with a one-element sum, the
tests and the in-place add took 0.7 us against 0.3 us for ``a + b``)."""


def _accumulate(a: FirstOrderGrad, b: FirstOrderGrad) -> FirstOrderGrad:
    """``a + b``, written into ``a`` when nothing else can see ``a``: a numpy array
    owning its memory (no view of another, none of it: a view holds its base), its
    only reference the traversal's pending entry (so no Variable, residual, rule or
    caller holds it), of ``b``'s shape and dtype.  A parameter used at every step
    of a recurrence then accumulates its gradients in one buffer instead of a fresh
    array per step (whose pages the kernel must fault in and zero).  Deferred sums
    combine (``add_gradients``); anything else takes a fresh ``a + b``, and so do
    arrays of fewer than ``_IN_PLACE_FROM`` elements, whose sum costs less than
    the tests."""
    if type(a) is not _ndarray or type(b) is not _ndarray:
        return add_gradients(a, b)
    if (a.size >= _IN_PLACE_FROM and a.dtype is b.dtype and a.base is None and _getrefcount(a) == _EXCLUSIVE
            and a.shape == b.shape):
        try:
            a += b
        except ValueError:  # a read-only array
            return a + b
        return a
    return a + b


class _ArrayAlgebra:
    """First order: gradients are arrays; rules run on their own namespace."""

    __slots__ = ()

    add = staticmethod(_accumulate)
    vjp = staticmethod(_array_vjp)
    unbroadcast = staticmethod(_unbroadcast)
    zeros = staticmethod(_zeros)


@dataclass(frozen=True, slots=True)
class SecondOrder:
    """What double backprop needs from the functions layer: the namespace whose
    members are recorded fchain functions over Variables, and ``F.sum_to``."""

    namespace: ArrayNamespace
    sum_to: Callable[[Variable, Shape], Variable]


_second_order: list[SecondOrder] = []


def install_second_order(second_order: SecondOrder) -> None:
    """Called once by ``fchain.functions``: from then on double backprop works."""
    _second_order[:] = [second_order]


def _installed_second_order() -> SecondOrder:
    if not _second_order:
        raise RuntimeError("double backprop needs fchain.functions, which has not been imported")
    return _second_order[0]


def _grad_holder(g: Array) -> Variable:
    """A gradient array wrapped as a graph-less Variable that needs no gradient."""
    v = _new(Variable)
    v._data = g
    v._grad_var = None
    v._creator = None
    v._index = 0
    v.name = None
    v.requires_grad = False
    return v


def _reconnect(node: Node) -> tuple[object, ...]:
    """The node's residuals with every floating input or output array replaced by
    its Variable, so that a rule run on Variables differentiates through them.

    Integer and boolean residuals stay arrays even when they are an input's array
    (integer labels given as a Variable, say): no gradient flows through them, and
    a rule uses them as constants (indices, comparisons) in their own namespace."""
    out: list[object] = []
    for r in node.residuals:
        found: object = r
        dtype = getattr(r, "dtype", None)
        if dtype is not None and dtype.kind != "f":
            out.append(r)
            continue
        for v in node.inputs:
            if v is not None and v._data is r:
                found = v
                break
        else:
            j = next((k for k, y in enumerate(node.output_arrays) if y is r), -1)
            if j >= 0:
                alive = node.outputs[j]()
                if isinstance(alive, Variable) and alive._data is r:
                    found = alive
                else:
                    revived = _grad_holder(r)
                    revived.requires_grad = True
                    revived._creator = node
                    revived._index = j
                    found = revived
        out.append(found)
    return tuple(out)


class _VariableAlgebra:
    """Double backprop: gradients are Variables; rules run on the second-order namespace."""

    __slots__ = ()

    def vjp(self, node: Node, grad_outputs: tuple[Variable, ...]) -> tuple[Variable | None, ...]:
        op = node.op
        if not op.double_differentiable:
            raise NotDoubleDifferentiableError(
                f"{op.name}: this op's backward is not differentiable, so "
                "enable_double_backprop=True cannot go through it"
            )
        rule = op.vjp if op.second_order_vjp is None else op.second_order_vjp
        residuals = cast(tuple[Array, ...], _reconnect(node))
        with force_backprop_mode():
            grads = rule(_installed_second_order().namespace, residuals,
                         cast(tuple[Array, ...], grad_outputs), node.params)
        return tuple(None if g is None else as_variable(g) for g in grads)

    def add(self, a: Variable, b: Variable) -> Variable:
        with force_backprop_mode():
            return a + b

    def unbroadcast(self, g: Variable, shape: Shape) -> Variable:
        with force_backprop_mode():
            return _installed_second_order().sum_to(g, shape)

    def zeros(self, node: Node, output_index: int) -> Variable:
        return _grad_holder(_zeros(node, output_index))


_ARRAYS: GradAlgebra[FirstOrderGrad] = _ArrayAlgebra()
_VARIABLES = _VariableAlgebra()


def _debug_hook(node: Node, grads: tuple[object, ...]) -> None:
    arrays = tuple(g._data if isinstance(g, Variable) else None if g is None
                   else dense_grad(cast(FirstOrderGrad, g)) for g in grads)
    check_finite(node.op.name, "gradient of input", arrays, node.created_at)


def _ones(data: Array, loss_scale: float | None) -> Array:
    """The implicit output gradient: ones like ``data``, times ``loss_scale`` if given."""
    if type(data) is _ndarray:
        # A scalar loss (the usual case) without ones_like's Python-level dispatch.
        ones: Array = (_NUMPY.asarray(1, dtype=data.dtype) if data.ndim == 0
                       else _NUMPY.ones_like(data))
    else:
        ones = backend.namespace_of(data).ones_like(data)
    if loss_scale is not None:
        ones *= loss_scale
    return ones


def _seed(y: Variable, gy: Variable | Array | None, where: str,
          loss_scale: float | None = None) -> Variable:
    """The output gradient backward starts from: ``gy``, else ``y.grad``, else ones
    for a 1-element ``y``.  As in Chainer, ``loss_scale`` scales only those implicit
    ones, never a gradient the user gave."""
    if isinstance(gy, Variable):
        return gy
    if gy is not None:
        return Variable(gy, requires_grad=False)
    existing = y._grad_var
    if existing is not None:
        return existing
    data = y.array
    if data.size == 1:
        return _grad_holder(_ones(data, loss_scale))
    raise GraphError(
        f"{where}: the output has shape {y.shape} and no gradient; set y.grad "
        f"(for example to ones of that shape) before calling backward, or reduce it to "
        "a scalar loss first"
    )


def backward_from(outputs: Sequence[Variable], grad_outputs: Sequence[Variable | Array | None] | None,
                  *, retain_grad: bool = False, enable_double_backprop: bool = False,
                  loss_scale: float | None = None) -> None:
    """Backpropagate from ``outputs`` and accumulate into the leaves' ``grad``."""
    if grad_outputs is None:
        gys: Sequence[Variable | Array | None] = [None] * len(outputs)
    else:
        gys = grad_outputs
        if len(gys) != len(outputs):
            raise ValueError(f"backward: {len(outputs)} outputs but {len(gys)} grad_outputs")
    seeds = [(y, _seed(y, gy, "backward", loss_scale)) for y, gy in zip(outputs, gys) if y.requires_grad]
    if not seeds:
        return
    hook = _debug_hook if hot_flags()[1] else None
    if enable_double_backprop:
        result_v: BackwardResult[Variable] = backpropagate(
            seeds, _VARIABLES, record_intermediates=retain_grad, on_node=hook)
        for var, g in result_v.leaves.values():
            target = cast(Variable, var)
            prev = target._grad_var
            if prev is None:
                target._grad_var = g
            else:
                with force_backprop_mode():
                    target._grad_var = prev + g
        if retain_grad:
            for node, j, g in result_v.intermediates:
                alive = node.outputs[j]()
                if isinstance(alive, Variable):
                    alive._grad_var = g
        return
    result = backpropagate([(y, g.array) for y, g in seeds], _ARRAYS,
                           record_intermediates=retain_grad, on_node=hook)
    _store_leaf_grads(result.leaves)
    if retain_grad:
        for node, j, ga in result.intermediates:
            alive = node.outputs[j]()
            if isinstance(alive, Variable):
                alive._grad_var = _grad_holder(dense_grad(ga))


def _variable_backward(self: Variable, retain_grad: bool = False, enable_double_backprop: bool = False,
                       loss_scale: float | None = None) -> None:
    """``Variable.backward``: see its declaration in ``fchain.graph.variable``.

    The call of every training step (no options, debug mode off, a one-element
    loss) goes straight to the traversal; anything else through ``backward_from``.
    Both store the same gradients (one traversal, one accumulation below)."""
    if self._creator is None:
        return
    data = self._data
    if (retain_grad or enable_double_backprop or loss_scale is not None or self._grad_var is not None
            or data is None or data.size != 1 or hot_flags()[1]):
        backward_from((self,), None, retain_grad=retain_grad,
                      enable_double_backprop=enable_double_backprop, loss_scale=loss_scale)
        return
    if self.requires_grad:
        _store_leaf_grads(backpropagate([(self, _ones(data, None))], _ARRAYS).leaves)


def _store_leaf_grads(leaves: dict[int, tuple[GraphVariable, FirstOrderGrad]]) -> None:
    """Accumulate first-order leaf gradients into the leaves' ``grad`` (deferred
    sums evaluated here, once per leaf, sharing the stacks of their common factors)."""
    new = _new
    stacks: Stacks | None = None
    for var, g in leaves.values():
        if type(g) is not _ndarray:
            if stacks is None:
                stacks = {}
            g = dense_grad(g, stacks)
        prev = var._grad_var  # type: ignore[attr-defined]  # every graph variable is a Variable
        holder = new(Variable)  # ``_grad_holder(...)``, inlined: it runs for every parameter
        holder._data = g if prev is None else prev._data + g
        holder._grad_var = None
        holder._creator = None
        holder._index = 0
        holder.name = None
        holder.requires_grad = False
        var._grad_var = holder  # type: ignore[attr-defined]  # as above


install("fchain.graph.backprop", backward=_variable_backward)


def backward(outputs: Sequence[Variable], grad_outputs: Sequence[Variable | Array | None] | None = None,
             *, enable_double_backprop: bool = False) -> None:
    """Backpropagate from several outputs at once (Chainer's ``chainer.backward``)."""
    if isinstance(outputs, Variable):
        raise TypeError("fchain.backward: outputs must be a sequence of Variables; use y.backward() for one")
    backward_from(list(outputs), grad_outputs, enable_double_backprop=enable_double_backprop)

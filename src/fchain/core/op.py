"""An op is one value: ``OpDef(name, forward, vjp, spec, ...)``.

``forward(xp, inputs, params) -> (outputs, residuals)`` computes the outputs and
whatever the backward needs; ``vjp(xp, residuals, grad_outputs, params) ->
grad_inputs`` maps output gradients to input gradients (``None`` where an input has
none).  Both are pure.  A vjp written only against ``xp`` runs unchanged on the
second-order namespace, which is how double backprop keeps one source of truth; a
residual that depends on an input must be that input or an output array itself (by
identity), so the second-order pass can reconnect it to the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Generic, TypeVar

from fchain.core.deferred_grad import DeferredGrad
from fchain.core.spec import GradSpec, NotDifferentiable
from fchain.types import Array, ArrayNamespace

__all__ = ["AnyOp", "Check", "FirstOrderVjp", "Forward", "MultiOutputOp", "Op", "OpDef", "P", "Vjp"]

P = TypeVar("P")

Forward = Callable[[ArrayNamespace, tuple[Array, ...], P], tuple[tuple[Array, ...], tuple[Array, ...]]]
Vjp = Callable[[ArrayNamespace, tuple[Array, ...], tuple[Array, ...], P], tuple[Array | None, ...]]
FirstOrderVjp = Callable[[ArrayNamespace, tuple[Array, ...], tuple[Array, ...], P],
                         tuple[Array | DeferredGrad | None, ...]]
Check = Callable[[tuple[Array, ...], P], P]


@dataclass(frozen=True, slots=True, eq=False)
class Op(Generic[P]):
    """A differentiable operation, as data: ``OpDef`` (one output, almost every
    op) or ``MultiOutputOp``.

    ``arg_names`` names the array inputs as the public function calls them
    (``("x", "W", "b")``): every error about an input (not an array, no data, wrong
    dtype, another device) names the argument, so the public function needs no
    checks of its own for them.  ``check(arrays, params)``, when given, runs on
    every call after the inputs are unwrapped and before the forward: it raises a
    ``ShapeError`` (or ``ValueError``) naming the op and argument for shapes or
    values the forward would silently accept or answer with a numpy message, and
    returns the params the forward gets: ``params`` itself, or a variant refined
    from what the arrays showed (``softmax_cross_entropy`` learns there whether
    its targets are soft and whether any label is ignored).
    ``float_inputs`` lists the inputs that must be floating point and share one
    dtype (checked on every call: the check is a couple of attribute reads).
    ``double_differentiable`` is False for an op whose vjp uses something the
    second-order namespace cannot differentiate; asking it for second order raises.
    ``broadcasts`` is False for an op whose vjp always returns each input's gradient
    in that input's shape (the property test checks the promise): the traversal
    then skips the un-broadcasting check for its inputs.
    ``second_order_vjp``, when given, replaces ``vjp`` while the backward pass is
    itself recorded (``enable_double_backprop``): for an op whose rule on
    Variables must call another op (``get_item``'s scatter, say) rather than the
    namespace.  Almost every op leaves it ``None``: one rule serves both orders.
    ``first_order_vjp``, when given, replaces ``vjp`` on the first-order pass: the
    same gradients, except that it may return a parameter's as a ``DeferredGrad``
    (a product or a row scatter not yet computed), which the traversal sums over
    the parameter's uses and computes once (``fchain.core.deferred_grad``).
    ``linear`` and ``embed_id``, which carry a recurrent model's parameters,
    declare it; a test checks that its evaluated gradients equal ``vjp``'s.
    ``accepts_deferred_matmul``: the first-order rule takes its (single) output
    gradient as a ``DeferredMatmul`` as well as an array (``embed_id``, whose
    scatter stacks the products of all its uses); for any other op the traversal
    evaluates such a gradient before the rule sees it.
    """

    name: str
    forward: Forward[P]
    vjp: Vjp[P]
    spec: GradSpec | NotDifferentiable
    _: KW_ONLY
    arg_names: tuple[str, ...] = ("x",)
    check: Check[P] | None = None
    float_inputs: tuple[int, ...] = (0,)
    double_differentiable: bool = True
    broadcasts: bool = True
    second_order_vjp: Vjp[P] | None = None
    first_order_vjp: FirstOrderVjp[P] | None = None
    accepts_deferred_matmul: bool = False
    leading_float_inputs: int = field(init=False, repr=False)
    """``k`` when ``float_inputs`` is ``(0, 1, ..., k - 1)`` (almost every op), else
    -1: ``apply`` decides the usual case (``(0,)``: scores and integer labels) without
    a loop."""
    multi_output: bool = field(init=False, repr=False)
    """Whether this is a ``MultiOutputOp`` (``apply`` reads it on every call)."""

    def __post_init__(self) -> None:
        k = len(self.float_inputs)
        object.__setattr__(self, "leading_float_inputs", k if self.float_inputs == tuple(range(k)) else -1)
        object.__setattr__(self, "multi_output", isinstance(self, MultiOutputOp))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def arg_name(self, i: int) -> str:
        """How messages call input ``i``: its declared name, else ``input i``."""
        names = self.arg_names
        return names[i] if i < len(names) else f"input {i}"


@dataclass(frozen=True, slots=True, eq=False)
class OpDef(Op[P]):
    """An op with one output: ``apply`` returns a Variable."""


@dataclass(frozen=True, slots=True, eq=False)
class MultiOutputOp(Op[P]):
    """An op with any number of outputs: ``apply`` returns a tuple of Variables."""


AnyOp = Op[Any]  # Any: an op of any params type (each op knows its own)

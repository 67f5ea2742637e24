"""add(x, y, ...) = x + y + ...; the gradient passes through unchanged.

Broadcasting is undone by the traversal, so the rule is just ``(gy, gy)``.  A scalar
operand becomes the parameter of ``add_constant`` instead of a graph input.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, SCALAR_TYPES, name_operands
from fchain.types import ArrayNamespace

__all__ = ["ADD", "ADD_CONSTANT", "add", "add_pair"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    return (inputs[0] + inputs[1],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return grads[0], grads[0]


def _forward_constant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    return (inputs[0] + c,), ()


def _vjp_constant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return (grads[0],)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape)
    y = draw.floats(draw.broadcastable_shape(shape))
    if draw.boolean():
        x, y = y, x
    return Case((x, y), add)


def _sample_constant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.0, 2.0])
    return Case((draw.floats(draw.shape()),), lambda x: add(x, c))


ADD: OpDef[None] = register(OpDef("add", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1)))
ADD_CONSTANT: OpDef[float] = register(
    OpDef("add_constant", _forward_constant, _vjp_constant, GradSpec(_sample_constant)))


def add(*xs: VariableLike | float) -> Variable:
    """Elementwise sum of two or more arrays (numpy broadcasting applies).

    Scalars are allowed as operands.  ``x + y`` on Variables calls this function.
    """
    if len(xs) < 2:
        raise TypeError(f"add: expected at least two operands, got {len(xs)}")
    try:
        acc = add_pair(xs[0], xs[1])
        for x in xs[2:]:
            acc = add_pair(acc, x)
    except TypeError:
        name_operands("add", *((f"xs[{i}]", x) for i, x in enumerate(xs)))
        raise
    return acc


def add_pair(x: VariableLike | float, y: VariableLike | float) -> Variable:
    """``x + y`` for exactly two operands: what the Variable operator calls."""
    try:
        if isinstance(y, SCALAR_TYPES):
            if isinstance(x, SCALAR_TYPES):
                raise TypeError("add: at least one operand must be a Variable or an array")
            return apply(ADD_CONSTANT, (x,), float(y))
        if isinstance(x, SCALAR_TYPES):
            return apply(ADD_CONSTANT, (y,), float(x))
        return apply(ADD, (x, y), None)
    except TypeError:
        name_operands("add", ("x", x), ("y", y))
        raise

"""mul(x, y) = x * y.  VJP: (gy * y, gy * x).  Residuals: the inputs themselves."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import SCALAR_TYPES, Forwarded, Grads, Inputs, VariableLike, name_operands
from fchain.types import ArrayNamespace

__all__ = ["MUL", "MUL_CONSTANT", "mul", "mul_pair"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, y = inputs
    return (x * y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x, y = residuals
    gy = grads[0]
    return gy * y, gy * x


def _forward_constant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    return (inputs[0] * c,), ()


def _vjp_constant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return (grads[0] * c,)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape)
    y = draw.floats(draw.broadcastable_shape(shape))
    return Case((y, x) if draw.boolean() else (x, y), mul)


def _sample_constant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.5, 3.0])
    return Case((draw.floats(draw.shape()),), lambda x: mul(x, c))


MUL: OpDef[None] = register(OpDef("mul", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1)))
MUL_CONSTANT: OpDef[float] = register(
    OpDef("mul_constant", _forward_constant, _vjp_constant, GradSpec(_sample_constant)))


def mul(*xs: VariableLike | float) -> Variable:
    """Elementwise product of two or more operands (broadcasting; scalars allowed)."""
    if len(xs) < 2:
        raise TypeError(f"mul: expected at least two operands, got {len(xs)}")
    try:
        acc = mul_pair(xs[0], xs[1])
        for x in xs[2:]:
            acc = mul_pair(acc, x)
    except TypeError:
        name_operands("mul", *((f"xs[{i}]", x) for i, x in enumerate(xs)))
        raise
    return acc


def mul_pair(x: VariableLike | float, y: VariableLike | float) -> Variable:
    """``x * y`` for exactly two operands: what the Variable operator calls."""
    try:
        if isinstance(y, SCALAR_TYPES):
            if isinstance(x, SCALAR_TYPES):
                raise TypeError("mul: at least one operand must be a Variable or an array")
            return apply(MUL_CONSTANT, (x,), float(y))
        if isinstance(x, SCALAR_TYPES):
            return apply(MUL_CONSTANT, (y,), float(x))
        return apply(MUL, (x, y), None)
    except TypeError:
        name_operands("mul", ("x", x), ("y", y))
        raise

"""sub(x, y) = x - y.  VJP: (gy, -gy).  ``c - x`` on a Variable uses ``rsub``."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import SCALAR_TYPES, Forwarded, Grads, Inputs, VariableLike, name_operands
from fchain.types import ArrayNamespace

__all__ = ["RSUB_CONSTANT", "SUB", "SUB_CONSTANT", "rsub", "sub"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    return (inputs[0] - inputs[1],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return grads[0], -grads[0]


def _forward_constant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    return (inputs[0] - c,), ()


def _vjp_constant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return (grads[0],)


def _forward_rconstant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    return (c - inputs[0],), ()


def _vjp_rconstant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return (-grads[0],)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape)
    y = draw.floats(draw.broadcastable_shape(shape))
    return Case((y, x) if draw.boolean() else (x, y), sub)


def _sample_constant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.0, 2.0])
    return Case((draw.floats(draw.shape()),), lambda x: sub(x, c))


def _sample_rconstant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.0, 2.0])
    return Case((draw.floats(draw.shape()),), lambda x: rsub(x, c))


SUB: OpDef[None] = register(OpDef("sub", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1)))
SUB_CONSTANT: OpDef[float] = register(
    OpDef("sub_constant", _forward_constant, _vjp_constant, GradSpec(_sample_constant)))
RSUB_CONSTANT: OpDef[float] = register(
    OpDef("rsub_constant", _forward_rconstant, _vjp_rconstant, GradSpec(_sample_rconstant)))


def sub(x: VariableLike | float, y: VariableLike | float) -> Variable:
    """Elementwise ``x - y`` (numpy broadcasting applies; either may be a scalar)."""
    try:
        if isinstance(y, SCALAR_TYPES):
            if isinstance(x, SCALAR_TYPES):
                raise TypeError("sub: at least one operand must be a Variable or an array")
            return apply(SUB_CONSTANT, (x,), float(y))
        if isinstance(x, SCALAR_TYPES):
            return apply(RSUB_CONSTANT, (y,), float(x))
        return apply(SUB, (x, y), None)
    except TypeError:
        name_operands("sub", ("x", x), ("y", y))
        raise


def rsub(x: VariableLike, y: VariableLike | float) -> Variable:
    """``y - x``: the reflected subtraction behind ``2 - v``."""
    return sub(y, x)

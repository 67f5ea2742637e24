"""pow(x, y) = x ** y, with either side a Variable, an array or a scalar.

VJPs, in Chainer's order of operations: for x ** y, gx = (y * x ** (y - 1)) * gy and
gy_y = (log(x) * x ** y) * gy (x > 0); for x ** c, gx = gy * (c * x ** (c - 1)); for
c ** x, gx = (log(c) * c ** x) * gy.
"""

from __future__ import annotations

import math

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import SCALAR_TYPES, Forwarded, Grads, Inputs, VariableLike, name_operands
from fchain.types import ArrayNamespace

__all__ = ["POW", "POW_CONSTANT", "RPOW_CONSTANT", "pow", "rpow"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, y = inputs
    out = xp.power(x, y)
    return (out,), (x, y, out)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x, y, out = residuals
    gy = grads[0]
    return (y * xp.power(x, y - 1.0)) * gy, (xp.log(x) * out) * gy


def _forward_constant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    x = inputs[0]
    return (xp.power(x, c),), (x,)


def _vjp_constant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    x = residuals[0]
    if c == 2.0:
        return (grads[0] * (2.0 * x),)
    return (grads[0] * (c * xp.power(x, c - 1.0)),)


def _forward_rconstant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    out = xp.power(c, inputs[0])
    return (out,), (out,)


def _vjp_rconstant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return ((math.log(c) * residuals[0]) * grads[0],)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape, 0.5, 2.0)
    y = draw.floats(draw.broadcastable_shape(shape), -1.5, 1.5)
    return Case((x, y), pow)


def _sample_constant(draw: Draw) -> Case:
    c = draw.choice([2.0, 3.0, 0.5, -1.0])
    return Case((draw.floats(draw.shape(), 0.5, 2.0),), lambda x: pow(x, c))


def _sample_rconstant(draw: Draw) -> Case:
    c = draw.choice([2.0, 0.5, 3.0])
    return Case((draw.floats(draw.shape()),), lambda x: rpow(x, c))


POW: OpDef[None] = register(OpDef("pow", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1)))
POW_CONSTANT: OpDef[float] = register(
    OpDef("pow_constant", _forward_constant, _vjp_constant, GradSpec(_sample_constant)))
RPOW_CONSTANT: OpDef[float] = register(
    OpDef("rpow_constant", _forward_rconstant, _vjp_rconstant, GradSpec(_sample_rconstant)))


def pow(x: VariableLike | float, y: VariableLike | float) -> Variable:
    """Elementwise ``x ** y``; ``x ** 2`` and ``2 ** x`` on Variables call this."""
    try:
        if isinstance(y, SCALAR_TYPES):
            if isinstance(x, SCALAR_TYPES):
                raise TypeError("pow: at least one operand must be a Variable or an array")
            return apply(POW_CONSTANT, (x,), float(y))
        if isinstance(x, SCALAR_TYPES):
            if float(x) <= 0.0:
                raise ValueError(f"pow: a scalar base must be positive to have a gradient, got {x}")
            return apply(RPOW_CONSTANT, (y,), float(x))
        return apply(POW, (x, y), None)
    except TypeError:
        name_operands("pow", ("x", x), ("y", y))
        raise


def rpow(x: VariableLike, y: VariableLike | float) -> Variable:
    """``y ** x``: the reflected power behind ``2 ** v``."""
    return pow(y, x)

"""div(x, y) = x / y.  VJP: gx = gy / y, gy_y = -gx * x / y.  Residuals: (x, y).

``x / c`` for a scalar ``c`` is Chainer's ``MulConstant(1. / c)``: ``x * (1 / c)``,
the reciprocal taken in Python floats and rounded once to ``x``'s dtype, forward and
backward (``gy * (1 / c)``), so the bits match Chainer's.
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

__all__ = ["DIV", "DIV_CONSTANT", "RDIV_CONSTANT", "div", "rdiv"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x, y = inputs
    return (x / y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x, y = residuals
    gx = grads[0] / y
    return gx, -(gx * x) / y


def _reciprocal(c: float) -> float:
    """``1. / c`` as Chainer takes it, but IEEE's signed infinity for a zero ``c``
    (where Python, and so Chainer, raises ``ZeroDivisionError``)."""
    return 1.0 / c if c != 0.0 else math.copysign(math.inf, c)


def _forward_constant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    return (inputs[0] * _reciprocal(c),), ()


def _vjp_constant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    return (grads[0] * _reciprocal(c),)


def _forward_rconstant(xp: ArrayNamespace, inputs: Inputs, c: float) -> Forwarded:
    x = inputs[0]
    return (c / x,), (x,)


def _vjp_rconstant(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, c: float) -> Grads:
    x = residuals[0]
    return (-(grads[0] * c) / (x * x),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x = draw.floats(shape)
    y = draw.floats(draw.broadcastable_shape(shape), 0.5, 2.0) * draw.choice([-1.0, 1.0])
    return Case((x, y), div)


def _sample_constant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.5, 3.0])
    return Case((draw.floats(draw.shape()),), lambda x: div(x, c))


def _sample_rconstant(draw: Draw) -> Case:
    c = draw.choice([-1.5, 0.5, 3.0])
    x = draw.floats(draw.shape(), 0.5, 2.0) * draw.choice([-1.0, 1.0])
    return Case((x,), lambda v: rdiv(v, c))


DIV: OpDef[None] = register(OpDef("div", _forward, _vjp, GradSpec(_sample), arg_names=("x", "y"), float_inputs=(0, 1)))
DIV_CONSTANT: OpDef[float] = register(
    OpDef("div_constant", _forward_constant, _vjp_constant, GradSpec(_sample_constant)))
RDIV_CONSTANT: OpDef[float] = register(
    OpDef("rdiv_constant", _forward_rconstant, _vjp_rconstant, GradSpec(_sample_rconstant)))


def div(x: VariableLike | float, y: VariableLike | float) -> Variable:
    """Elementwise ``x / y`` (broadcasting; either may be a scalar)."""
    try:
        if isinstance(y, SCALAR_TYPES):
            if isinstance(x, SCALAR_TYPES):
                raise TypeError("div: at least one operand must be a Variable or an array")
            return apply(DIV_CONSTANT, (x,), float(y))
        if isinstance(x, SCALAR_TYPES):
            return apply(RDIV_CONSTANT, (y,), float(x))
        return apply(DIV, (x, y), None)
    except TypeError:
        name_operands("div", ("x", x), ("y", y))
        raise


def rdiv(x: VariableLike, y: VariableLike | float) -> Variable:
    """``y / x``: the reflected division behind ``2 / v``."""
    return div(y, x)

"""maximum(x1, x2), elementwise, with numpy broadcasting.

VJP: gx1 = gy * (x1 >= x2), gx2 = gy * (x1 < x2).
Residuals: (x1, x2), the inputs.

Convention at ties (Chainer's): where ``x1 == x2`` the whole gradient goes to
``x1`` and none to ``x2``.  The masks carry no gradient, so the backward is linear
in ``gy`` and differentiable again.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.facade.apply import apply1
from fchain.facade.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.types import ArrayNamespace

__all__ = ["MAXIMUM", "maximum"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x1, x2 = inputs
    return (xp.maximum(x1, x2),), (x1, x2)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x1, x2 = residuals
    gy = grads[0]
    to_x1 = xp.greater_equal(x1, x2)
    return gy * to_x1.astype(gy.dtype), gy * xp.logical_not(to_x1).astype(gy.dtype)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    other = draw.floats(draw.broadcastable_shape(shape))
    # a gap of at least 0.1 between the operands keeps every element off a tie
    one = other + draw.floats(shape, -1.0, 1.0, kinks=(0.0,), margin=0.1)
    return Case((other, one) if draw.boolean() else (one, other), maximum)


MAXIMUM: OpDef[None] = register(OpDef(
    "maximum", _forward, _vjp, GradSpec(_sample, conventions=("ties: the gradient goes to x1",)),
    float_inputs=(0, 1)))


def maximum(x1: VariableLike, x2: VariableLike) -> Variable:
    """Elementwise larger of ``x1`` and ``x2`` (same floating dtype; broadcasting applies).

    Where the two are equal, the gradient goes to ``x1`` (Chainer's convention).
    """
    return apply1(MAXIMUM, (x1, x2), None)

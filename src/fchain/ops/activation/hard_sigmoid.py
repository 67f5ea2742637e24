"""hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1), elementwise.

VJP: ``0.2 * gy`` where ``-2.5 < x < 2.5``, zero elsewhere, computed as Chainer
does, ``(mask * gy) * 0.2``.  Residuals: (x,).

Convention at the kinks (Chainer 7's): hard_sigmoid'(-2.5) = hard_sigmoid'(2.5) = 0
(strict comparisons).  The mask is a constant to double backprop: the second
derivative is zero.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["HARD_SIGMOID", "hard_sigmoid"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.clip(x * 0.2 + 0.5, 0.0, 1.0),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x = residuals[0]
    inside = xp.logical_and(xp.less(-2.5, x), xp.less(x, 2.5))
    return (xp.multiply(grads[0], inside) * 0.2,)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), low=-4.0, high=4.0, kinks=(-2.5, 2.5)),), hard_sigmoid)


HARD_SIGMOID: OpDef[None] = register(OpDef(
    "hard_sigmoid", _forward, _vjp,
    GradSpec(_sample, conventions=("hard_sigmoid'(-2.5) = 0", "hard_sigmoid'(2.5) = 0")),
    broadcasts=False))


def hard_sigmoid(x: VariableLike) -> Variable:
    """Piecewise-linear sigmoid: 0 below -2.5, ``0.2 * x + 0.5`` between, 1 above 2.5.

    The gradient is 0.2 strictly inside ``(-2.5, 2.5)`` and 0 elsewhere, the kinks
    included, as in Chainer 7.
    """
    try:
        return apply(HARD_SIGMOID, (x,), None)
    except TypeError:
        name_arrays("hard_sigmoid", ("x", x))
        raise

"""absolute(x) = |x|.  VJP: gy * sign(x).  Residuals: (x,), the input itself.

Convention at the kink (Chainer's): absolute'(0) = sign(0) = 0, so a zero input
receives no gradient.  ``sign`` carries no gradient, so the second derivative is 0.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["ABSOLUTE", "absolute"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.absolute(x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] * xp.sign(residuals[0]),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), kinks=(0.0,)),), absolute)


ABSOLUTE: OpDef[None] = register(OpDef(
    "absolute", _forward, _vjp, GradSpec(_sample, conventions=("absolute'(0) = 0",))))


def absolute(x: VariableLike) -> Variable:
    """Elementwise absolute value; ``abs(v)`` on a Variable calls this.

    The gradient at 0 is 0 (Chainer's ``sign(x)`` convention).
    """
    try:
        return apply(ABSOLUTE, (x,), None)
    except TypeError:
        name_arrays("absolute", ("x", x))
        raise

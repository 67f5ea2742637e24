"""square(x) = x * x.  VJP: gy * 2x.  Residuals: (x,), the input itself."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["SQUARE", "square"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.square(x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] * (residuals[0] * 2.0),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape()),), square)


SQUARE: OpDef[None] = register(OpDef("square", _forward, _vjp, GradSpec(_sample)))


def square(x: VariableLike) -> Variable:
    """Elementwise square."""
    try:
        return apply(SQUARE, (x,), None)
    except TypeError:
        name_arrays("square", ("x", x))
        raise

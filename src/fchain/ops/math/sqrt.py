"""sqrt(x).  VJP: gy / (2 * y).  Residuals: (y,), the output itself."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["SQRT", "sqrt"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y = xp.sqrt(inputs[0])
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] / (residuals[0] * 2.0),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), 0.5, 2.0),), sqrt)


SQRT: OpDef[None] = register(OpDef("sqrt", _forward, _vjp, GradSpec(_sample)))


def sqrt(x: VariableLike) -> Variable:
    """Elementwise square root (the gradient at 0 is ``inf``, as in Chainer)."""
    try:
        return apply(SQRT, (x,), None)
    except TypeError:
        name_arrays("sqrt", ("x", x))
        raise

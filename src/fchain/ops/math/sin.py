"""sin(x).  VJP: gy * cos(x).  Residuals: (x,), the input itself."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["SIN", "sin"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.sin(x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] * xp.cos(residuals[0]),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), -4.0, 4.0),), sin)


SIN: OpDef[None] = register(OpDef("sin", _forward, _vjp, GradSpec(_sample)))


def sin(x: VariableLike) -> Variable:
    """Elementwise sine (radians)."""
    try:
        return apply(SIN, (x,), None)
    except TypeError:
        name_arrays("sin", ("x", x))
        raise

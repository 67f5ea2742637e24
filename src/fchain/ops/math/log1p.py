"""log1p(x) = log(1 + x), accurate near 0.  VJP: gy / (1 + x).  Residuals: (x,)."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["LOG1P", "log1p"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.log1p(x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] / (residuals[0] + 1.0),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), -0.5, 2.0),), log1p)


LOG1P: OpDef[None] = register(OpDef("log1p", _forward, _vjp, GradSpec(_sample)))


def log1p(x: VariableLike) -> Variable:
    """Elementwise ``log(1 + x)``, without the rounding error of forming ``1 + x``."""
    try:
        return apply(LOG1P, (x,), None)
    except TypeError:
        name_arrays("log1p", ("x", x))
        raise

"""log(x), the natural logarithm.  VJP: gy / x.  Residuals: (x,), the input itself."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["LOG", "log"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    return (xp.log(x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] / residuals[0],)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), 0.5, 2.0),), log)


LOG: OpDef[None] = register(OpDef("log", _forward, _vjp, GradSpec(_sample)))


def log(x: VariableLike) -> Variable:
    """Elementwise natural logarithm (``-inf`` at 0 and ``nan`` below, as numpy)."""
    try:
        return apply(LOG, (x,), None)
    except TypeError:
        name_arrays("log", ("x", x))
        raise

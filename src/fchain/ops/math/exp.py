"""exp(x) = e ** x.  VJP: gy * y.  Residuals: (y,), the output itself."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["EXP", "exp"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y = xp.exp(inputs[0])
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (grads[0] * residuals[0],)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape()),), exp)


EXP: OpDef[None] = register(OpDef("exp", _forward, _vjp, GradSpec(_sample)))


def exp(x: VariableLike) -> Variable:
    """Elementwise exponential function."""
    try:
        return apply(EXP, (x,), None)
    except TypeError:
        name_arrays("exp", ("x", x))
        raise

"""neg(x) = -x.  VJP: -gy."""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["NEG", "neg"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    return (-inputs[0],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return (-grads[0],)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape()),), neg)


NEG: OpDef[None] = register(OpDef("neg", _forward, _vjp, GradSpec(_sample)))


def neg(x: VariableLike) -> Variable:
    """Elementwise negation; ``-v`` on a Variable calls this."""
    try:
        return apply(NEG, (x,), None)
    except TypeError:
        name_arrays("neg", ("x", x))
        raise

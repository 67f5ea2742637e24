"""tanh(x), elementwise.  VJP: gy * (1 - y ** 2).  Residuals: (y,), the output itself.

The vjp reads only the output, so under double backprop it differentiates through
``y`` (reconnected to the graph) and gives ``-2 * y * (1 - y ** 2) * gy``.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["TANH", "tanh"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y = xp.tanh(inputs[0])
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    y = residuals[0]
    return (grads[0] * (1.0 - y * y),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape()),), tanh)


TANH: OpDef[None] = register(OpDef("tanh", _forward, _vjp, GradSpec(_sample)))


def tanh(x: VariableLike) -> Variable:
    """Hyperbolic tangent, elementwise."""
    try:
        return apply(TANH, (x,), None)
    except TypeError:
        name_arrays("tanh", ("x", x))
        raise

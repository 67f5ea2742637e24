"""relu(x) = max(x, 0).  VJP: gy * (y > 0).  Residuals: (y,).

Convention at the kink: relu'(0) = 0 (the mask is ``y > 0``).  Large results are
written into ``core.workspace``'s pooled arrays, laid out as the input (a
convolution's channels-last output stays channels-last).
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.types import ArrayNamespace

__all__ = ["RELU", "relu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x = inputs[0]
    y = workspace.elementwise(xp, xp.maximum, x, 0.0, like=x)  # a large result: from the scratch pool
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    # A float times a boolean mask keeps the float's dtype (the second-order
    # namespace takes the mask as a constant of the gradient's dtype).
    gy = grads[0]
    return (workspace.elementwise(xp, xp.multiply, gy, xp.greater(residuals[0], 0.0), like=gy),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), kinks=(0.0,)),), relu)


RELU: OpDef[None] = register(OpDef(
    "relu", _forward, _vjp, GradSpec(_sample, conventions=("relu'(0) = 0",)), broadcasts=False))


def relu(x: VariableLike) -> Variable:
    """Rectified linear unit, ``max(x, 0)``, elementwise."""
    return apply(RELU, (x,), None)

"""softmax(x, axis=1) = exp(x) / sum(exp(x), axis).  Residuals: (y,).

Forward subtracts the maximum along ``axis`` first, so huge logits neither overflow
nor warn.  VJP: ``y * gy - y * sum(y * gy, axis)``, written through the output
only, so double backprop differentiates through ``y``.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, axis_arg, shape_of
from fchain.ops._row_maxima import row_maxima
from fchain.types import ArrayNamespace

__all__ = ["SOFTMAX", "softmax"]


def _forward(xp: ArrayNamespace, inputs: Inputs, axis: int) -> Forwarded:
    x = inputs[0]
    m = row_maxima(x) if x.ndim == 2 and axis in (1, -1) else xp.max(x, axis=axis, keepdims=True)
    y = xp.exp(x - m)
    y /= xp.sum(y, axis=axis, keepdims=True)
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, axis: int) -> Grads:
    y = residuals[0]
    gx = y * grads[0]
    return (gx - y * xp.sum(gx, axis=axis, keepdims=True),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    return Case((draw.floats(shape),), lambda x: softmax(x, axis))


SOFTMAX: OpDef[int] = register(OpDef("softmax", _forward, _vjp, GradSpec(_sample)))


def softmax(x: VariableLike, axis: int = 1) -> Variable:
    """Softmax along ``axis``: non-negative values that sum to one along it."""
    return apply(SOFTMAX, (x,), axis_arg("softmax", axis, len(shape_of(x, "softmax"))))

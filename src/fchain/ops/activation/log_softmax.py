"""log_softmax(x, axis=1) = x - logsumexp(x, axis).  Residuals: (y,).

Forward: ``x - (m + log(sum(exp(x - m), axis)))`` with ``m`` the maximum along
``axis`` (Chainer's order: its ``logsumexp`` adds ``log(s)`` to ``m``, so the bits
match Chainer's): finite for huge logits, no overflow, no warning.  VJP:
``gy - exp(y) * sum(gy, axis)``, through the output only, so double backprop
differentiates through ``y``.
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

__all__ = ["LOG_SOFTMAX", "log_softmax"]


def _forward(xp: ArrayNamespace, inputs: Inputs, axis: int) -> Forwarded:
    x = inputs[0]
    m = row_maxima(x) if x.ndim == 2 and axis in (1, -1) else xp.max(x, axis=axis, keepdims=True)
    m = m + xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True))
    y = x - m
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, axis: int) -> Grads:
    gy = grads[0]
    return (gy - xp.exp(residuals[0]) * xp.sum(gy, axis=axis, keepdims=True),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    return Case((draw.floats(shape),), lambda x: log_softmax(x, axis))


LOG_SOFTMAX: OpDef[int] = register(OpDef("log_softmax", _forward, _vjp, GradSpec(_sample)))


def log_softmax(x: VariableLike, axis: int = 1) -> Variable:
    """Logarithm of the softmax along ``axis``, computed stably (no ``log(0)``)."""
    return apply(LOG_SOFTMAX, (x,), axis_arg("log_softmax", axis, len(shape_of(x, "log_softmax"))))

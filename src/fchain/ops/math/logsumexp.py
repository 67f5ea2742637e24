"""logsumexp(x, axis=None) = log(sum(exp(x), axis)), computed stably.

Forward: with m the maximum over ``axis``, ``y = m + log(sum(exp(x - m)))``, so no
exp overflows; a slice that is all ``-inf`` gives ``-inf`` (m is replaced by 0
there instead of making ``-inf - -inf = nan``).
VJP: ``gy * exp(x - y)`` (the softmax of x along ``axis``), with y's reduced axes
kept.  Residuals: (x, y), the input and the output, so the same rule run on
Variables gives the second derivative.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, normalize_axes, shape_of
from fchain.ops.math._reduce import draw_axis, kept_shape
from fchain.types import ArrayNamespace, Shape

__all__ = ["LOGSUMEXP", "LogsumexpParams", "logsumexp"]


@dataclass(frozen=True, slots=True)
class LogsumexpParams:
    axis: tuple[int, ...] | None
    in_shape: Shape


def _out_shape(p: LogsumexpParams) -> Shape:
    if p.axis is None:
        return ()
    return tuple(n for i, n in enumerate(p.in_shape) if i not in p.axis)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: LogsumexpParams) -> Forwarded:
    x = inputs[0]
    m = xp.max(x, axis=p.axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0.0)
    total = xp.sum(xp.exp(x - m), axis=p.axis, keepdims=True)
    y = xp.reshape(xp.log(total) + m, _out_shape(p))
    return (y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: LogsumexpParams) -> Grads:
    x, y = residuals
    kept = kept_shape(p.in_shape, p.axis)
    return (xp.reshape(grads[0], kept) * xp.exp(x - xp.reshape(y, kept)),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw_axis(draw, shape)
    scale = draw.choice([1.0, 30.0])  # 30: exp alone would overflow float32 near 89
    x = draw.floats(shape) * scale
    return Case((x,), lambda v: logsumexp(v, axis=axis))


LOGSUMEXP: OpDef[LogsumexpParams] = register(OpDef("logsumexp", _forward, _vjp, GradSpec(_sample)))


def logsumexp(x: VariableLike, axis: int | tuple[int, ...] | None = None) -> Variable:
    """``log(sum(exp(x), axis))`` without overflow (all axes by default).

    The reduced axes are removed from the result (Chainer's ``F.logsumexp`` has no
    ``keepdims``).
    """
    shape = shape_of(x, "logsumexp")
    return apply(LOGSUMEXP, (x,), LogsumexpParams(normalize_axes("logsumexp", axis, len(shape)), shape))

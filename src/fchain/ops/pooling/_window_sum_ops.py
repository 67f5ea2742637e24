"""Average pooling and unpooling: two linear ops, each the other's transpose.

* ``average_pooling_nd(x)``: each window's sum (zero padding) divided by the window
  size (``pad_value=0``, Chainer's mean) or by the number of input positions it
  holds (``pad_value=None``: ``width``).  VJP: ``gy`` (divided by ``width``) spread
  over its window and divided by the window size: an unpooling.
* ``unpooling_nd(x)``: every input value copied into its whole window of the output
  (overlaps add).  VJP: the window sums of ``gy``: an average pooling that divides
  by 1.

The sums run offset by offset in the kernel's raster order, the order in which
Chainer's sum over im2col's kernel axes adds, so the values are Chainer's bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs
from fchain.ops._windows import Windows, conv_outsize, scatter_windows, sum_windows
from fchain.ops.pooling._max_pooling_ops import draw_pool_windows
from fchain.types import Array, ArrayNamespace

__all__ = ["AVERAGE_POOLING_ND", "UNPOOLING_ND", "WindowSumParams"]


@dataclass(frozen=True, slots=True, eq=False)
class WindowSumParams:
    """The windows (image side ``size``, window side ``out``); ``divisor``: the
    window size of a mean, 1 for a plain sum; ``width``: per-output counts that
    replace it (``pad_value=None``), shaped to broadcast against the output."""

    fn: str
    windows: Windows
    divisor: int = 1
    width: Array | None = None


def _average_forward(xp: ArrayNamespace, inputs: Inputs, p: WindowSumParams) -> Forwarded:
    y = sum_windows(xp, inputs[0], p.windows)
    if p.width is not None:
        y = y / p.width
    elif p.divisor != 1:
        y = y / p.divisor
    return (y,), ()


def _average_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: WindowSumParams) -> Grads:
    gy = grads[0]
    if p.width is not None:
        return (scatter_windows(xp, gy / p.width, p.windows),)
    gx = scatter_windows(xp, gy, p.windows)
    if p.divisor != 1:
        gx /= p.divisor
    return (gx,)


def _average_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: WindowSumParams) -> Grads:
    """Second order: the spreading is ``unpooling_nd``."""
    gy = cast(Variable, grads[0])
    if p.width is not None:
        gy = gy / p.width
    gx = apply(UNPOOLING_ND, (gy,), WindowSumParams("unpooling_nd", p.windows))
    if p.width is None and p.divisor != 1:
        gx = gx / float(p.divisor)
    return (cast(Array, gx),)


def _unpool_forward(xp: ArrayNamespace, inputs: Inputs, p: WindowSumParams) -> Forwarded:
    return (scatter_windows(xp, inputs[0], p.windows),), ()


def _unpool_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: WindowSumParams) -> Grads:
    return (sum_windows(xp, grads[0], p.windows),)


def _unpool_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: WindowSumParams) -> Grads:
    """Second order: the window sums are ``average_pooling_nd`` dividing by 1."""
    params = WindowSumParams("average_pooling_nd", p.windows)
    return (cast(Array, apply(AVERAGE_POOLING_ND, (cast(Variable, grads[0]),), params)),)


def _sample_average(draw: Draw) -> Case:
    w = draw_pool_windows(draw, False)
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    params = WindowSumParams("average_pooling_nd", w, draw.choice([1, 4]))
    return Case((draw.floats((n, c) + w.size),), lambda x: apply(AVERAGE_POOLING_ND, (x,), params))


def _sample_unpool(draw: Draw) -> Case:
    cover_all = draw.boolean()
    pooled = draw_pool_windows(draw, cover_all)
    w = Windows(pooled.size, pooled.ksize, pooled.stride, pooled.pad, pooled.dilate,
                tuple(conv_outsize(n, k, s, q, cover_all)
                      for n, k, s, q in zip(pooled.size, pooled.ksize, pooled.stride, pooled.pad)))
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    params = WindowSumParams("unpooling_nd", w)
    return Case((draw.floats((n, c) + w.out),), lambda x: apply(UNPOOLING_ND, (x,), params))


AVERAGE_POOLING_ND: OpDef[WindowSumParams] = register(OpDef(
    "average_pooling_nd", _average_forward, _average_vjp, GradSpec(_sample_average), broadcasts=False,
    second_order_vjp=_average_vjp_recorded))
UNPOOLING_ND: OpDef[WindowSumParams] = register(OpDef(
    "unpooling_nd", _unpool_forward, _unpool_vjp, GradSpec(_sample_unpool), broadcasts=False,
    second_order_vjp=_unpool_vjp_recorded))

"""im2col(x, ksize, stride=1, pad=0, cover_all=False, dilate=1): the windows of ``x``
``(N, C, H, W)`` as channels, ``(N, C kh kw, out_h, out_w)`` (channel-major: entry
``c kh kw + i kw + j`` is tap ``(i, j)`` of channel ``c``), zero padded; sizes as
``convolution_2d``'s.  VJP: col2im, the windows added back (the internal op
``im2col_grad``, whose own VJP is im2col again, so every order exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_of
from fchain.ops._window_args import flag, spatial_ndim, spatial_tuple
from fchain.ops._windows import Windows, col2im, conv_outsize, im2col as columns, product
from fchain.ops.connection._convolution_ops import draw_windows
from fchain.types import Array, ArrayNamespace

__all__ = ["IM2COL", "IM2COL_GRAD", "Im2ColParams", "im2col"]


@dataclass(frozen=True, slots=True)
class Im2ColParams:
    """The windows; the column array is ``(N, C prod(ksize), *out)``."""

    windows: Windows


def _flat(col: Array, w: Windows) -> Array:
    n, c = col.shape[0], col.shape[1]
    return col.reshape((n, c * product(w.ksize)) + w.out)


def _unflat(g: Array, w: Windows) -> Array:
    n, ck = g.shape[0], g.shape[1]
    return g.reshape((n, ck // product(w.ksize)) + w.ksize + w.out)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: Im2ColParams) -> Forwarded:
    return (_flat(columns(xp, inputs[0], p.windows), p.windows),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Im2ColParams) -> Grads:
    return (col2im(xp, _unflat(grads[0], p.windows), p.windows),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Im2ColParams) -> Grads:
    return (cast(Array, apply(IM2COL_GRAD, (cast(Variable, grads[0]),), p)),)


def _grad_forward(xp: ArrayNamespace, inputs: Inputs, p: Im2ColParams) -> Forwarded:
    return (col2im(xp, _unflat(inputs[0], p.windows), p.windows),), ()


def _grad_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Im2ColParams) -> Grads:
    return (_flat(columns(xp, grads[0], p.windows), p.windows),)


def _grad_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Im2ColParams) -> Grads:
    return (cast(Array, apply(IM2COL, (cast(Variable, grads[0]),), p)),)


def _sample(draw: Draw) -> Case:
    w = draw_windows(draw, 2, draw.boolean())
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    params = Im2ColParams(w)
    return Case((draw.floats((n, c) + w.size),), lambda x: apply(IM2COL, (x,), params))


def _sample_grad(draw: Draw) -> Case:
    w = draw_windows(draw, 2, draw.boolean())
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    params = Im2ColParams(w)
    g = draw.floats((n, c * product(w.ksize)) + w.out)
    return Case((g,), lambda g: apply(IM2COL_GRAD, (g,), params))


IM2COL: OpDef[Im2ColParams] = register(OpDef(
    "im2col", _forward, _vjp, GradSpec(_sample), broadcasts=False, second_order_vjp=_vjp_recorded))
IM2COL_GRAD: OpDef[Im2ColParams] = register(OpDef(
    "im2col_grad", _grad_forward, _grad_vjp, GradSpec(_sample_grad), arg_names=("gy",), broadcasts=False,
    second_order_vjp=_grad_vjp_recorded))


def im2col(x: VariableLike, ksize: int | tuple[int, int], stride: int | tuple[int, int] = 1,
           pad: int | tuple[int, int] = 0, cover_all: bool = False,
           dilate: int | tuple[int, int] = 1) -> Variable:
    """The patches of ``x`` as channels (see the module docstring)."""
    fn = "im2col"
    spatial_ndim(fn, x, 2)
    size = shape_of(x, fn)[2:]
    k = spatial_tuple(fn, "ksize", ksize, 2, 1)
    s = spatial_tuple(fn, "stride", stride, 2, 1)
    p = spatial_tuple(fn, "pad", pad, 2, 0)
    d = spatial_tuple(fn, "dilate", dilate, 2, 1)
    cover = flag(fn, "cover_all", cover_all)
    out = tuple(conv_outsize(n, kk, ss, pp, cover, dd) for n, kk, ss, pp, dd in zip(size, k, s, p, d))
    if any(o <= 0 for o in out):
        raise ValueError(f"{fn}: x of spatial size {size} has no window of size {k} (dilate {d}, pad {p})")
    return apply(IM2COL, (x,), Im2ColParams(Windows(size, k, s, p, d, out)))

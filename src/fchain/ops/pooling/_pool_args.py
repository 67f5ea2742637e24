"""The window arguments every pooling function takes (``ksize``, ``stride=None``
meaning ``ksize``, ``pad``), resolved against ``x``'s shape into ``Windows``."""

from __future__ import annotations

from fchain.errors import ShapeError
from fchain.ops._common import VariableLike, shape_of
from fchain.ops._window_args import spatial_ndim, spatial_tuple
from fchain.ops._windows import Windows, conv_outsize, deconv_outsize
from fchain.types import Shape

__all__ = ["pool_windows", "unpool_windows"]


def _kernel(fn: str, nd: int, ksize: object, stride: object, pad: object) -> tuple[Shape, Shape, Shape]:
    k = spatial_tuple(fn, "ksize", ksize, nd, 1)
    s = k if stride is None else spatial_tuple(fn, "stride", stride, nd, 1)
    return k, s, spatial_tuple(fn, "pad", pad, nd, 0)


def pool_windows(fn: str, x: VariableLike, ndim: int | None, ksize: object, stride: object, pad: object,
                 cover_all: bool) -> Windows:
    """The windows a pooling of ``x`` ``(N, C, *spatial)`` reads."""
    nd = spatial_ndim(fn, x, ndim)
    size = shape_of(x, fn)[2:]
    k, s, p = _kernel(fn, nd, ksize, stride, pad)
    out = tuple(conv_outsize(n, kk, ss, pp, cover_all) for n, kk, ss, pp in zip(size, k, s, p))
    if any(o <= 0 for o in out) or 0 in size:
        raise ShapeError(f"{fn}: x of spatial size {size} has no window of size {k} with pad {p} "
                         f"(the output would have spatial size {out})")
    return Windows(size, k, s, p, (1,) * nd, out)


def unpool_windows(fn: str, x: VariableLike, ndim: int | None, ksize: object, stride: object, pad: object,
                   outsize: object, cover_all: bool) -> Windows:
    """The windows of the pooling that an unpooling of ``x`` inverts: its image is the
    output (``outsize``, by default the smallest whose windows number x's size)."""
    nd = spatial_ndim(fn, x, ndim)
    size_in = shape_of(x, fn)[2:]
    k, s, p = _kernel(fn, nd, ksize, stride, pad)
    if outsize is None:
        outs = tuple(deconv_outsize(n, kk, ss, pp, cover_all) for n, kk, ss, pp in zip(size_in, k, s, p))
    else:
        outs = spatial_tuple(fn, "outsize", outsize, nd, 1)
        expected = tuple(conv_outsize(o, kk, ss, pp, cover_all) for o, kk, ss, pp in zip(outs, k, s, p))
        if expected != size_in:
            raise ShapeError(f"{fn}: outsize {outs} pools back to spatial size {expected} with ksize {k}, "
                             f"stride {s}, pad {p}, cover_all={cover_all}, but x has {size_in}")
    if any(o <= 0 for o in outs):
        raise ShapeError(f"{fn}: the output would be empty (spatial size {outs})")
    return Windows(outs, k, s, p, (1,) * nd, size_in)

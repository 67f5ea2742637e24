"""unpooling_nd(x, ksize, stride=None, pad=0, outsize=None, cover_all=True) and
``unpooling_1d/2d/3d`` (Chainer's signatures and defaults): the inverse of pooling's
geometry.  Every input value is copied into the whole window it would have been
pooled from (values of overlapping windows add); ``outsize`` defaults to the
smallest image whose pooling windows number x's size, and a given one must pool
back to it.  The rules are in ``_window_sum_ops``.
"""

from __future__ import annotations

from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike
from fchain.ops._window_args import flag
from fchain.ops.connection.convolution_nd import IntOrTuple
from fchain.ops.pooling._pool_args import unpool_windows
from fchain.ops.pooling._window_sum_ops import UNPOOLING_ND, WindowSumParams

__all__ = ["UNPOOLING_ND", "unpooling_1d", "unpooling_2d", "unpooling_3d", "unpooling_nd"]


def _unpool(fn: str, ndim: int | None, x: VariableLike, ksize: object, stride: object, pad: object,
            outsize: object, cover_all: object) -> Variable:
    w = unpool_windows(fn, x, ndim, ksize, stride, pad, outsize, flag(fn, "cover_all", cover_all))
    return apply(UNPOOLING_ND, (x,), WindowSumParams(fn, w))


def unpooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                 outsize: IntOrTuple | None = None, cover_all: bool = True) -> Variable:
    """N-dimensional unpooling (see the module docstring)."""
    return _unpool("unpooling_nd", None, x, ksize, stride, pad, outsize, cover_all)


def unpooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                 outsize: IntOrTuple | None = None, cover_all: bool = True) -> Variable:
    """``unpooling_nd`` for ``x`` with one spatial axis."""
    return _unpool("unpooling_1d", 1, x, ksize, stride, pad, outsize, cover_all)


def unpooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                 outsize: IntOrTuple | None = None, cover_all: bool = True) -> Variable:
    """Two-dimensional unpooling."""
    return _unpool("unpooling_2d", 2, x, ksize, stride, pad, outsize, cover_all)


def unpooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                 outsize: IntOrTuple | None = None, cover_all: bool = True) -> Variable:
    """``unpooling_nd`` for ``x`` with three spatial axes."""
    return _unpool("unpooling_3d", 3, x, ksize, stride, pad, outsize, cover_all)

"""max_pooling_nd(x, ksize, stride=None, pad=0, cover_all=True, return_indices=False)
and ``max_pooling_1d/2d/3d`` (Chainer's signatures and defaults).

Each output is the maximum of a ``ksize`` window of ``x`` ``(N, C, *spatial)``
(padding never wins: it reads ``-inf``); ``stride`` defaults to ``ksize``.  With
``cover_all`` (the default) the windows reach past the far edge until every input
position is in one.  Ties: the gradient goes to the first maximum in raster order
of the window, Chainer's convention.  ``return_indices=True`` also returns that
offset for every output (int64 on the CPU, int32 on a GPU, as Chainer), the
``indexes`` ``upsampling_2d`` takes.  The rules are in ``_max_pooling_ops``.
"""

from __future__ import annotations

from typing import Literal, overload

from fchain.core import backend
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike
from fchain.ops._window_args import flag
from fchain.ops.connection.convolution_nd import IntOrTuple
from fchain.ops.pooling._max_pooling_ops import MAX_POOLING_ND, MaxPoolParams, first_argmax
from fchain.ops.pooling._pool_args import pool_windows
from fchain.types import Array

__all__ = ["MAX_POOLING_ND", "max_pooling_1d", "max_pooling_2d", "max_pooling_3d", "max_pooling_nd"]


def _pool(fn: str, ndim: int | None, x: VariableLike, ksize: object, stride: object, pad: object,
          cover_all: object, return_indices: object) -> Variable | tuple[Variable, Array]:
    w = pool_windows(fn, x, ndim, ksize, stride, pad, flag(fn, "cover_all", cover_all))
    y = apply(MAX_POOLING_ND, (x,), MaxPoolParams(fn, w))
    if not flag(fn, "return_indices", return_indices):
        return y
    data = x.array if isinstance(x, Variable) else x
    xp = backend.namespace_of(data)
    index = first_argmax(xp, data, y.array, w)
    return y, (xp.asarray(index, dtype=xp.int32) if backend.is_cupy_array(data) else index)


@overload
def max_pooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: Literal[False] = False) -> Variable: ...
@overload
def max_pooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None, pad: IntOrTuple,
                   cover_all: bool, return_indices: Literal[True]) -> tuple[Variable, Array]: ...
@overload
def max_pooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, *, return_indices: Literal[True]) -> tuple[Variable, Array]: ...


def max_pooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: bool = False) -> Variable | tuple[Variable, Array]:
    """N-dimensional max pooling (see the module docstring)."""
    return _pool("max_pooling_nd", None, x, ksize, stride, pad, cover_all, return_indices)


@overload
def max_pooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: Literal[False] = False) -> Variable: ...
@overload
def max_pooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None, pad: IntOrTuple,
                   cover_all: bool, return_indices: Literal[True]) -> tuple[Variable, Array]: ...
@overload
def max_pooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, *, return_indices: Literal[True]) -> tuple[Variable, Array]: ...


def max_pooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: bool = False) -> Variable | tuple[Variable, Array]:
    """``max_pooling_nd`` for ``x`` with one spatial axis."""
    return _pool("max_pooling_1d", 1, x, ksize, stride, pad, cover_all, return_indices)


@overload
def max_pooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: Literal[False] = False) -> Variable: ...
@overload
def max_pooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None, pad: IntOrTuple,
                   cover_all: bool, return_indices: Literal[True]) -> tuple[Variable, Array]: ...
@overload
def max_pooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, *, return_indices: Literal[True]) -> tuple[Variable, Array]: ...


def max_pooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: bool = False) -> Variable | tuple[Variable, Array]:
    """Two-dimensional max pooling, ``x`` ``(N, C, H, W)``."""
    return _pool("max_pooling_2d", 2, x, ksize, stride, pad, cover_all, return_indices)


@overload
def max_pooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: Literal[False] = False) -> Variable: ...
@overload
def max_pooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None, pad: IntOrTuple,
                   cover_all: bool, return_indices: Literal[True]) -> tuple[Variable, Array]: ...
@overload
def max_pooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, *, return_indices: Literal[True]) -> tuple[Variable, Array]: ...


def max_pooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None, pad: IntOrTuple = 0,
                   cover_all: bool = True, return_indices: bool = False) -> Variable | tuple[Variable, Array]:
    """``max_pooling_nd`` for ``x`` with three spatial axes."""
    return _pool("max_pooling_3d", 3, x, ksize, stride, pad, cover_all, return_indices)

"""deconvolution_nd(x, W, b=None, stride=1, pad=0, outsize=None, dilate=1, groups=1)
and ``deconvolution_1d/2d/3d`` (Chainer's signatures and defaults): the transposed
convolution, the adjoint of ``convolution_nd`` in its input.

``x``: ``(N, C_in, *spatial)``; ``W``: ``(C_in, C_out / groups, *ksize)``; ``b``:
``(C_out,)``.  Without ``outsize`` the output has ``stride (size - 1) + dk - 2 pad``
positions per axis; a given ``outsize`` must be one whose convolution windows number
x's size (any size from the ``cover_all=False`` count to the ``cover_all=True`` one),
as Chainer checks.
"""

from __future__ import annotations

from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg
from fchain.ops._window_args import spatial_ndim, spatial_tuple
from fchain.ops.connection._convolution_ops import DECONVOLUTION_ND, DeconvParams
from fchain.ops.connection.convolution_nd import IntOrTuple

__all__ = ["DECONVOLUTION_ND", "deconvolution_1d", "deconvolution_2d", "deconvolution_3d",
           "deconvolution_nd"]


def _deconvolve(fn: str, ndim: int | None, x: VariableLike, W: VariableLike, b: VariableLike | None,
                stride: object, pad: object, outsize: object, dilate: object, groups: object) -> Variable:
    nd = spatial_ndim(fn, x, ndim)
    g = groups if type(groups) is int else int_arg(fn, "groups", groups)
    if g < 1:
        raise ValueError(f"{fn}: groups must be a positive int, got {g}")
    out = None if outsize is None else spatial_tuple(fn, "outsize", outsize, nd, 1)
    params = DeconvParams(fn, spatial_tuple(fn, "stride", stride, nd, 1), spatial_tuple(fn, "pad", pad, nd, 0),
                          spatial_tuple(fn, "dilate", dilate, nd, 1), g, out, b is not None,
                          getattr(x, "requires_grad", False) is True, getattr(W, "requires_grad", False) is True)
    if b is None:
        return apply(DECONVOLUTION_ND, (x, W), params)
    return apply(DECONVOLUTION_ND, (x, W, b), params)


def deconvolution_nd(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                     pad: IntOrTuple = 0, outsize: IntOrTuple | None = None, dilate: IntOrTuple = 1,
                     groups: int = 1) -> Variable:
    """N-dimensional transposed convolution (see the module docstring)."""
    return _deconvolve("deconvolution_nd", None, x, W, b, stride, pad, outsize, dilate, groups)


def deconvolution_1d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                     pad: IntOrTuple = 0, outsize: IntOrTuple | None = None, dilate: IntOrTuple = 1,
                     groups: int = 1) -> Variable:
    """``deconvolution_nd`` for ``x`` with one spatial axis."""
    return _deconvolve("deconvolution_1d", 1, x, W, b, stride, pad, outsize, dilate, groups)


def deconvolution_2d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                     pad: IntOrTuple = 0, outsize: IntOrTuple | None = None, *, dilate: IntOrTuple = 1,
                     groups: int = 1) -> Variable:
    """Two-dimensional transposed convolution (``dilate`` and ``groups`` keyword-only,
    as in Chainer)."""
    return _deconvolve("deconvolution_2d", 2, x, W, b, stride, pad, outsize, dilate, groups)


def deconvolution_3d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                     pad: IntOrTuple = 0, outsize: IntOrTuple | None = None, dilate: IntOrTuple = 1,
                     groups: int = 1) -> Variable:
    """``deconvolution_nd`` for ``x`` with three spatial axes."""
    return _deconvolve("deconvolution_3d", 3, x, W, b, stride, pad, outsize, dilate, groups)

"""convolution_nd(x, W, b=None, stride=1, pad=0, cover_all=False, dilate=1, groups=1)
and its fixed-rank forms ``convolution_1d/2d/3d``, ``dilated_convolution_2d`` and
``depthwise_convolution_2d`` (Chainer's signatures and defaults).

``x``: ``(N, C, *spatial)``; ``W``: ``(O, C / groups, *ksize)``; ``b``: ``(O,)``.
The output has ``(size + 2 pad - dk) // stride + 1`` positions per axis (``dk =
dilate (ksize - 1) + 1``), or ``(size + 2 pad - dk + stride - 1) // stride + 1``
with ``cover_all``.  The rules, their double backward and the layout are in
``_convolution_ops`` and ``_conv_arrays``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg, shape_of
from fchain.ops._window_args import flag, spatial_ndim, spatial_tuple
from fchain.ops.array.reshape import reshape
from fchain.ops.array.transpose import transpose
from fchain.ops.connection._convolution_ops import CONVOLUTION_ND, CONVOLUTION_ND_GRAD_W, ConvParams

__all__ = [
    "CONVOLUTION_ND",
    "CONVOLUTION_ND_GRAD_W",
    "IntOrTuple",
    "convolution_1d",
    "convolution_2d",
    "convolution_3d",
    "convolution_nd",
    "depthwise_convolution_2d",
    "dilated_convolution_2d",
]

IntOrTuple = int | Sequence[int]
"""An int for every spatial axis, or one int per axis."""


def _wants_grad(v: VariableLike) -> bool:
    return getattr(v, "requires_grad", False) is True


def _convolve(fn: str, ndim: int | None, x: VariableLike, W: VariableLike, b: VariableLike | None,
              stride: object, pad: object, cover_all: object, dilate: object, groups: object) -> Variable:
    nd = spatial_ndim(fn, x, ndim)
    g = groups if type(groups) is int else int_arg(fn, "groups", groups)
    if g < 1:
        raise ValueError(f"{fn}: groups must be a positive int, got {g}")
    params = ConvParams(fn, spatial_tuple(fn, "stride", stride, nd, 1), spatial_tuple(fn, "pad", pad, nd, 0),
                        spatial_tuple(fn, "dilate", dilate, nd, 1), g, flag(fn, "cover_all", cover_all),
                        b is not None, _wants_grad(x), _wants_grad(W))
    if b is None:
        return apply(CONVOLUTION_ND, (x, W), params)
    return apply(CONVOLUTION_ND, (x, W, b), params)


def convolution_nd(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                   pad: IntOrTuple = 0, cover_all: bool = False, dilate: IntOrTuple = 1,
                   groups: int = 1) -> Variable:
    """N-dimensional convolution: ``y[n, o] = sum_c W[o, c] * x[n, c] + b[o]`` over
    every window (a cross-correlation, as in Chainer).

    ``x``: ``(N, C, d_1, ..., d_N)``; ``W``: ``(O, C / groups, k_1, ..., k_N)``; ``b``:
    ``(O,)`` or None.  ``stride``, ``pad`` and ``dilate`` are an int or one per axis;
    ``cover_all`` makes every input position fall in some window; ``groups`` splits
    the channels into independent blocks.
    """
    return _convolve("convolution_nd", None, x, W, b, stride, pad, cover_all, dilate, groups)


def convolution_1d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                   pad: IntOrTuple = 0, cover_all: bool = False, dilate: IntOrTuple = 1,
                   groups: int = 1) -> Variable:
    """``convolution_nd`` for ``x`` with one spatial axis ``(N, C, L)``."""
    return _convolve("convolution_1d", 1, x, W, b, stride, pad, cover_all, dilate, groups)


def convolution_2d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                   pad: IntOrTuple = 0, cover_all: bool = False, *, dilate: IntOrTuple = 1,
                   groups: int = 1) -> Variable:
    """Two-dimensional convolution, ``x`` ``(N, C, H, W)``, ``W`` ``(O, C / groups, kh, kw)``
    (``dilate`` and ``groups`` are keyword-only, as in Chainer)."""
    return _convolve("convolution_2d", 2, x, W, b, stride, pad, cover_all, dilate, groups)


def convolution_3d(x: VariableLike, W: VariableLike, b: VariableLike | None = None, stride: IntOrTuple = 1,
                   pad: IntOrTuple = 0, cover_all: bool = False, dilate: IntOrTuple = 1,
                   groups: int = 1) -> Variable:
    """``convolution_nd`` for ``x`` with three spatial axes ``(N, C, D, H, W)``."""
    return _convolve("convolution_3d", 3, x, W, b, stride, pad, cover_all, dilate, groups)


def dilated_convolution_2d(x: VariableLike, W: VariableLike, b: VariableLike | None = None,
                           stride: IntOrTuple = 1, pad: IntOrTuple = 0, dilate: IntOrTuple = 1,
                           cover_all: bool = False) -> Variable:
    """``convolution_2d`` with ``dilate`` before ``cover_all`` (Chainer's order)."""
    return _convolve("dilated_convolution_2d", 2, x, W, b, stride, pad, cover_all, dilate, 1)


def depthwise_convolution_2d(x: VariableLike, W: VariableLike, b: VariableLike | None = None,
                             stride: IntOrTuple = 1, pad: IntOrTuple = 0) -> Variable:
    """Depthwise convolution: each input channel convolved with its own ``multiplier``
    filters.  ``W``: ``(multiplier, C, kh, kw)``; ``b``: ``(multiplier * C,)``; output
    channel ``c * multiplier + m`` is channel ``c`` under filter ``W[m, c]``: the
    grouped convolution with ``C`` groups of ``W`` laid out channel-major."""
    fn = "depthwise_convolution_2d"
    spatial_ndim(fn, x, 2)
    w_shape = shape_of(W, fn, "W")
    if len(w_shape) != 4:
        raise ValueError(f"{fn}: W must be (multiplier, in_channels, kh, kw), got shape {w_shape}")
    multiplier, channels, kh, kw = w_shape
    grouped = reshape(transpose(W, (1, 0, 2, 3)), (channels * multiplier, 1, kh, kw))
    return _convolve(fn, 2, x, grouped, b, stride, pad, False, 1, channels)

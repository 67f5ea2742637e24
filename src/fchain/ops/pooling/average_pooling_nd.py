"""average_pooling_nd(x, ksize, stride=None, pad=0, pad_value=0), ``average_pooling_1d``
and ``_3d`` (the same), and ``average_pooling_2d(x, ksize, stride=None, pad=0)``:
Chainer's signatures and defaults.

Each output is the mean of a ``ksize`` window of ``x`` (``stride`` defaults to
``ksize``; no ``cover_all``).  ``pad_value=0`` counts the padding as zeros in the
mean (Chainer's default: averages near the border lean towards zero); ``None``
averages over the input positions only.  The rules are in ``_window_sum_ops``.
"""

from __future__ import annotations

from fchain.core import backend
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, describe
from fchain.ops._windows import Windows, product
from fchain.ops.connection.convolution_nd import IntOrTuple
from fchain.ops.pooling._pool_args import pool_windows
from fchain.ops.pooling._window_sum_ops import AVERAGE_POOLING_ND, WindowSumParams
from fchain.types import Array

__all__ = ["AVERAGE_POOLING_ND", "average_pooling_1d", "average_pooling_2d", "average_pooling_3d",
           "average_pooling_nd"]


def _widths(x: VariableLike, w: Windows) -> Array:
    """How many input positions each window holds, shaped ``(1, 1, *out)``, in x's
    dtype and on x's device."""
    data = x.array if isinstance(x, Variable) else x
    counts: list[float] = [1.0]
    shape: tuple[int, ...] = ()
    for n, k, s, p, o in zip(w.size, w.ksize, w.stride, w.pad, w.out):
        axis = [float(min(i * s - p + k, n) - max(i * s - p, 0)) for i in range(o)]
        counts = [a * b for a in counts for b in axis]
        shape += (o,)
    return backend.namespace_of(data).asarray(counts, dtype=data.dtype).reshape((1, 1) + shape)


def _average(fn: str, ndim: int | None, x: VariableLike, ksize: object, stride: object, pad: object,
             pad_value: object) -> Variable:
    w = pool_windows(fn, x, ndim, ksize, stride, pad, False)
    if pad_value is None:
        params = WindowSumParams(fn, w, 1, _widths(x, w))
    elif type(pad_value) in (int, float) and pad_value == 0:
        params = WindowSumParams(fn, w, product(w.ksize))
    else:
        raise ValueError(f"{fn}: pad_value must be 0 or None, got {describe(pad_value)}")
    return apply(AVERAGE_POOLING_ND, (x,), params)


def average_pooling_nd(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None,
                       pad: IntOrTuple = 0, pad_value: int | None = 0) -> Variable:
    """N-dimensional average pooling (see the module docstring)."""
    return _average("average_pooling_nd", None, x, ksize, stride, pad, pad_value)


def average_pooling_1d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None,
                       pad: IntOrTuple = 0, pad_value: int | None = 0) -> Variable:
    """``average_pooling_nd`` for ``x`` with one spatial axis."""
    return _average("average_pooling_1d", 1, x, ksize, stride, pad, pad_value)


def average_pooling_2d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None,
                       pad: IntOrTuple = 0) -> Variable:
    """Two-dimensional average pooling; the padding counts as zeros (Chainer has no
    ``pad_value`` here)."""
    return _average("average_pooling_2d", 2, x, ksize, stride, pad, 0)


def average_pooling_3d(x: VariableLike, ksize: IntOrTuple, stride: IntOrTuple | None = None,
                       pad: IntOrTuple = 0, pad_value: int | None = 0) -> Variable:
    """``average_pooling_nd`` for ``x`` with three spatial axes."""
    return _average("average_pooling_3d", 3, x, ksize, stride, pad, pad_value)

"""upsampling_2d(x, indexes, ksize, stride=None, pad=0, outsize=None, cover_all=True):
``x`` placed at the window offsets ``indexes`` that ``max_pooling_2d(...,
return_indices=True)`` returned, zeros elsewhere (positions in several windows sum).
The output size defaults to the smallest image whose pooling windows number x's
size; a given ``outsize`` must pool back to it.  The op is max pooling's scatter
(``max_pooling_nd_grad``), so its gradient is the gather at ``indexes``.
"""

from __future__ import annotations

from fchain.core import backend
from fchain.errors import DTypeError, ShapeError
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops._window_args import flag
from fchain.ops._windows import product
from fchain.ops.connection.convolution_nd import IntOrTuple
from fchain.ops.pooling._max_pooling_ops import MAX_POOLING_ND_GRAD, upsample
from fchain.ops.pooling._pool_args import unpool_windows
from fchain.types import Array

__all__ = ["MAX_POOLING_ND_GRAD", "upsampling_2d"]


def upsampling_2d(x: VariableLike, indexes: Array, ksize: IntOrTuple, stride: IntOrTuple | None = None,
                  pad: IntOrTuple = 0, outsize: IntOrTuple | None = None, cover_all: bool = True) -> Variable:
    """Upsampling by max pooling's indices (see the module docstring)."""
    fn = "upsampling_2d"
    w = unpool_windows(fn, x, 2, ksize, stride, pad, outsize, flag(fn, "cover_all", cover_all))
    if isinstance(indexes, Variable) or not hasattr(indexes, "dtype"):
        raise TypeError(f"{fn}: indexes must be an integer numpy.ndarray or cupy.ndarray, "
                        f"got {type(indexes).__name__}")
    if indexes.dtype.kind not in "iu":
        raise DTypeError(f"{fn}: indexes must hold integers, got dtype {indexes.dtype}")
    if tuple(indexes.shape) != shape_of(x, fn):
        raise ShapeError(f"{fn}: indexes has shape {tuple(indexes.shape)} but x has {shape_of(x, fn)}")
    k = product(w.ksize)
    if indexes.size and (int(indexes.min()) < 0 or int(indexes.max()) >= k):
        raise ValueError(f"{fn}: indexes must lie in [0, {k}) (offsets in a {w.ksize} window)")
    data = x.array if isinstance(x, Variable) else x
    if backend.is_cupy_array(data) != backend.is_cupy_array(indexes):
        indexes = backend.namespace_of(data).asarray(backend.to_numpy(indexes))
    return upsample(x, indexes, w, fn)

"""spatial_pyramid_pooling_2d(x, pyramid_height, pooling=None): a fixed-length vector
from a feature map of any size.  Level ``h`` (``0 <= h < pyramid_height``) max-pools
``x`` ``(N, C, H, W)`` into ``2**h x 2**h`` bins (window ``ceil(H / 2**h)``, the
remainder split as padding, ``cover_all``); the levels are flattened and
concatenated into ``(N, C * sum_h 4**h, 1, 1)``.  As in Chainer 7, ``pooling`` must
be ``'max'`` (its default ``None`` is rejected the same way).  Built from
``max_pooling_2d``, ``reshape`` and ``concat``.
"""

from __future__ import annotations

from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg
from fchain.ops._window_args import spatial_ndim
from fchain.ops.array.concat import concat
from fchain.ops.array.reshape import reshape
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d

__all__ = ["spatial_pyramid_pooling_2d"]


def spatial_pyramid_pooling_2d(x: VariableLike, pyramid_height: int, pooling: str | None = None) -> Variable:
    """Spatial pyramid pooling (see the module docstring)."""
    fn = "spatial_pyramid_pooling_2d"
    spatial_ndim(fn, x, 2)
    levels = int_arg(fn, "pyramid_height", pyramid_height)
    if levels < 1:
        raise ValueError(f"{fn}: pyramid_height must be a positive int, got {levels}")
    if pooling != "max":
        raise ValueError(f"{fn}: unsupported pooling {pooling!r}; only 'max' is supported (pass pooling='max')")
    n, c, h, w = x.shape
    levels_out = []
    for level in range(levels):
        bins = 2 ** level
        kh, kw = -(-h // bins), -(-w // bins)
        pad = ((kh * bins - h) // 2, (kw * bins - w) // 2)
        y = max_pooling_2d(x, (kh, kw), None, pad, True)
        levels_out.append(reshape(y, (n, c * y.shape[2] * y.shape[3], 1, 1)))
    return concat(levels_out, axis=1)

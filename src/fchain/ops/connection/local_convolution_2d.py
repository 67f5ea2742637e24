"""local_convolution_2d(x, W, b=None, stride=1): a convolution whose filter differs
at every output position (no weight sharing, no padding), Chainer's signature.

``x``: ``(N, C, H, W)``; ``W``: ``(O, out_h, out_w, C, kh, kw)``; ``b``: ``(O, out_h,
out_w)``; ``out = (size - k) // stride + 1``.  Built of ops, so every order of
derivative exists: the patches (``im2col``), one batched ``matmul`` over the
output positions, ``reshape``/``transpose`` and the bias ``add``.
"""

from __future__ import annotations

from fchain.errors import ShapeError
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops._window_args import spatial_ndim, spatial_tuple
from fchain.ops._windows import conv_outsize
from fchain.ops.array.im2col import im2col
from fchain.ops.array.reshape import reshape
from fchain.ops.array.transpose import transpose
from fchain.ops.math.add import add
from fchain.ops.math.matmul import matmul

__all__ = ["local_convolution_2d"]


def local_convolution_2d(x: VariableLike, W: VariableLike, b: VariableLike | None = None,
                         stride: int | tuple[int, int] = 1) -> Variable:
    """Locally connected layer (see the module docstring)."""
    fn = "local_convolution_2d"
    spatial_ndim(fn, x, 2)
    n, c, h, w = shape_of(x, fn)
    w_shape = shape_of(W, fn, "W")
    if len(w_shape) != 6:
        raise ShapeError(f"{fn}: W must be (out_channels, out_h, out_w, in_channels, kh, kw), got shape {w_shape}")
    o, oh, ow, wc, kh, kw = w_shape
    sy, sx = spatial_tuple(fn, "stride", stride, 2, 1)
    expected = (conv_outsize(h, kh, sy, 0), conv_outsize(w, kw, sx, 0))
    if wc != c or (oh, ow) != expected:
        raise ShapeError(f"{fn}: W has shape {w_shape} but x of shape {(n, c, h, w)} with stride {(sy, sx)} "
                         f"needs W of shape ({o}, {expected[0]}, {expected[1]}, {c}, {kh}, {kw})")
    if b is not None and shape_of(b, fn, "b") != (o, oh, ow):
        raise ShapeError(f"{fn}: b has shape {shape_of(b, fn, 'b')}; expected ({o}, {oh}, {ow})")
    p, ck = oh * ow, c * kh * kw
    col = transpose(reshape(im2col(x, (kh, kw), (sy, sx)), (n, ck, p)), (2, 0, 1))   # (P, N, C k)
    filters = reshape(transpose(W, (1, 2, 0, 3, 4, 5)), (p, o, ck))                  # (P, O, C k)
    y = reshape(transpose(matmul(col, filters, transb=True), (1, 2, 0)), (n, o, oh, ow))
    return y if b is None else add(y, b)

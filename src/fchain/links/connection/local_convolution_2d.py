"""``LocalConvolution2D``: the locally connected layer around
``F.local_convolution_2d`` (a filter per output position, no weight sharing).

``LocalConvolution2D(in_channels, out_channels, in_size, ksize, stride=1)`` holds
``W`` of shape ``(out_channels, out_h, out_w, in_channels, kh, kw)`` and ``b`` of
shape ``(out_channels, out_h, out_w)``, where ``out = (in - k) // stride + 1``
along each axis.  Unless both ``in_channels`` and ``in_size`` are given, both are
taken from the first batch.  Defaults as in Chainer: ``W`` from
``LeCunNormal()`` (its fan counts the output positions too, as Chainer's does),
``b`` zero.

Differences from Chainer 7: ``ksize`` is required when the link is built (Chainer
fails only at the first call), and the output size counts the stride: Chainer's
link sizes ``W`` as if the stride were 1 (``in - k + 1``), so with a stride above 1
its own function rejects or misreads the filter; with stride 1 the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.errors import ShapeError
from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import LeCunNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, pair, raw_ksize
from fchain.ops._windows import conv_outsize
from fchain.ops.connection.local_convolution_2d import local_convolution_2d
from fchain.types import Array

__all__ = ["LocalConvolution2D"]


class LocalConvolution2D(Link):
    """A locally connected 2-d layer with weights ``W`` and (unless ``nobias``) bias ``b``.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch.
        out_channels: output channels.
        in_size: the input's ``(height, width)`` (an int for both), or ``None`` to
            take it from the first batch.
        ksize: filter size, ``k`` or ``(kh, kw)``.
        stride: an int or a pair.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
    """

    W: Parameter
    b: Parameter | None
    ksize: int | tuple[int, ...]
    stride: tuple[int, int]
    nobias: bool
    out_channels: int

    def __init__(self, in_channels: int | None, out_channels: int, in_size: IntOrTuple | None = None,
                 ksize: IntOrTuple | None = None, stride: IntOrTuple = 1, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None:
        super().__init__()
        cls = "LocalConvolution2D"
        self.ksize = raw_ksize(cls, ksize, 2)
        self.stride = pair(cls, "stride", stride, 1)
        self.nobias = bool(nobias)
        self.out_channels = count(cls, "out_channels", out_channels)
        n_in = count_or_none(cls, "in_channels", in_channels)
        size = None if in_size is None else pair(cls, "in_size", in_size, 1)
        with self.init_scope():
            self.W = Parameter(as_initializer(initialW, LeCunNormal, f"{cls}(initialW=...)"))
            if self.nobias:
                self.b = None
            else:
                self.b = Parameter(as_initializer(initial_bias, Zero, f"{cls}(initial_bias=...)"))
            if n_in is not None and size is not None:
                self._initialize_params(n_in, size)

    def _initialize_params(self, in_channels: int, in_size: tuple[int, int]) -> None:
        """Allocate ``W`` (then ``b``) for ``in_channels`` channels of ``in_size``."""
        kh, kw = pair("LocalConvolution2D", "ksize", self.ksize, 1)
        (h, w), (sy, sx) = in_size, self.stride
        if h < kh or w < kw:
            raise ShapeError(f"LocalConvolution2D: the input size {(h, w)} is smaller than the filter {(kh, kw)}")
        oh, ow = conv_outsize(h, kh, sy, 0), conv_outsize(w, kw, sx, 0)
        self._initialize_param(self.W, (self.out_channels, oh, ow, in_channels, kh, kw))
        if self.b is not None:
            self._initialize_param(self.b, (self.out_channels, oh, ow))

    def forward(self, x: Variable | Array) -> Variable:
        """``local_convolution_2d(x, W, b, stride)``; sizes ``W`` and ``b`` from
        ``x``'s channels and spatial size on the first call when they were left out."""
        if self.W._data is None:
            shape = tuple(x.shape)
            if len(shape) != 4:
                raise ShapeError(f"LocalConvolution2D: x has shape {shape} but must be (N, C, H, W)")
            self._initialize_params(int(shape[1]), (int(shape[2]), int(shape[3])))
        return local_convolution_2d(x, self.W, self.b, self.stride)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "nobias", self.nobias

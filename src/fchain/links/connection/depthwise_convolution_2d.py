"""``DepthwiseConvolution2D``: the depthwise convolution layer around
``F.depthwise_convolution_2d``.

``DepthwiseConvolution2D(in_channels, channel_multiplier, ksize)`` holds ``W`` of
shape ``(channel_multiplier, in_channels, kh, kw)`` and ``b`` of shape
``(channel_multiplier * in_channels,)``; both are sized from the first batch when
``in_channels`` is ``None``.  Defaults as in Chainer: ``W`` from
``HeNormal(1 / sqrt(2))``, ``b`` zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import HeNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, input_channels, pair, raw_ksize
from fchain.ops.connection.convolution_nd import depthwise_convolution_2d
from fchain.types import Array

__all__ = ["DepthwiseConvolution2D"]


def _he_normal() -> HeNormal:
    return HeNormal(1.0 / math.sqrt(2.0))


class DepthwiseConvolution2D(Link):
    """A depthwise convolution layer: each input channel convolved with its own
    ``channel_multiplier`` filters.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch.
        channel_multiplier: filters per input channel.
        ksize: filter size, ``k`` or ``(kh, kw)``.
        stride, pad: as ``F.depthwise_convolution_2d``'s, an int or a pair.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default
            ``HeNormal(1 / sqrt(2))``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
    """

    W: Parameter
    b: Parameter | None
    ksize: int | tuple[int, ...]
    stride: tuple[int, int]
    pad: tuple[int, int]
    channel_multiplier: int
    nobias: bool

    def __init__(self, in_channels: int | None, channel_multiplier: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None) -> None:
        super().__init__()
        cls = "DepthwiseConvolution2D"
        self.ksize = raw_ksize(cls, ksize, 2)
        self.stride = pair(cls, "stride", stride, 1)
        self.pad = pair(cls, "pad", pad, 0)
        self.channel_multiplier = count(cls, "channel_multiplier", channel_multiplier)
        self.nobias = bool(nobias)
        n_in = count_or_none(cls, "in_channels", in_channels)
        with self.init_scope():
            self.W = Parameter(as_initializer(initialW, _he_normal, f"{cls}(initialW=...)"))
            if self.nobias:
                self.b = None
            else:
                self.b = Parameter(as_initializer(initial_bias, Zero, f"{cls}(initial_bias=...)"))
        if n_in is not None:
            self._initialize_params(n_in)

    def _initialize_params(self, in_channels: int) -> None:
        """Allocate ``W`` and ``b`` for ``in_channels`` input channels, ``W`` first."""
        kh, kw = pair("DepthwiseConvolution2D", "ksize", self.ksize, 1)
        self._initialize_param(self.W, (self.channel_multiplier, in_channels, kh, kw))
        if self.b is not None:
            self._initialize_param(self.b, self.channel_multiplier * in_channels)

    def forward(self, x: Variable | Array) -> Variable:
        """``depthwise_convolution_2d(x, W, b, stride, pad)``; sizes ``W`` and ``b``
        from ``x``'s channels on the first call when they were left out."""
        if self.W._data is None:
            self._initialize_params(input_channels("DepthwiseConvolution2D", x, 2))
        return depthwise_convolution_2d(x, self.W, self.b, self.stride, self.pad)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "channel_multiplier", self.channel_multiplier
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.nobias

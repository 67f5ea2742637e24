"""``DilatedConvolution2D``: the two-dimensional dilated convolution layer around
``F.dilated_convolution_2d``.

``DilatedConvolution2D(in_channels, out_channels, ksize, stride=1, pad=0,
dilate=1)`` holds ``W`` of shape ``(out_channels, in_channels, kh, kw)`` and ``b``
of shape ``(out_channels,)`` (``dilate`` comes before ``nobias``, Chainer's order;
no groups).  ``DilatedConvolution2D(out_channels, ksize)`` and
``in_channels=None`` size ``W`` from the first batch.  Defaults as in Chainer:
``W`` from ``LeCunNormal()``, ``b`` zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, pair, raw_ksize, shorthand
from fchain.links.connection._filter_link import FilterLink
from fchain.ops.connection.convolution_nd import dilated_convolution_2d
from fchain.types import Array

__all__ = ["DilatedConvolution2D"]


class DilatedConvolution2D(FilterLink):
    """A 2-d dilated convolution layer with filter ``W`` and (unless ``nobias``)
    bias ``b``.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch
            (with ``ksize`` left out the arguments shift, as in ``Convolution2D``).
        out_channels: output channels.
        ksize: filter size, ``k`` or ``(kh, kw)``.
        stride, pad, dilate: as ``F.dilated_convolution_2d``'s, an int or a pair.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
    """

    ksize: int | tuple[int, ...]
    stride: tuple[int, int]
    pad: tuple[int, int]
    dilate: tuple[int, int]

    @overload
    def __init__(self, in_channels: int | None, out_channels: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, dilate: IntOrTuple = 1, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None: ...
    @overload
    def __init__(self, in_channels: int, out_channels: IntOrTuple, ksize: None = None, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, dilate: IntOrTuple = 1, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None: ...

    def __init__(self, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None = None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, dilate: IntOrTuple = 1, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None:
        super().__init__()
        cls = "DilatedConvolution2D"
        c_in, c_out, k = shorthand(in_channels, out_channels, ksize)
        self.ksize = raw_ksize(cls, k, 2)
        self.stride = pair(cls, "stride", stride, 1)
        self.pad = pair(cls, "pad", pad, 0)
        self.dilate = pair(cls, "dilate", dilate, 1)
        self._register(count_or_none(cls, "in_channels", c_in), count(cls, "out_channels", c_out), nobias,
                       initialW, initial_bias)

    def _filter_shape(self, in_channels: int) -> tuple[int, ...]:
        return (self.out_channels, in_channels) + pair("DilatedConvolution2D", "ksize", self.ksize, 1)

    def forward(self, x: Variable | Array) -> Variable:
        """``dilated_convolution_2d(x, W, b, stride, pad, dilate)``; sizes ``W`` from
        ``x``'s channels on the first call when they were left out."""
        W = self._sized_filter(x, 2)
        return dilated_convolution_2d(x, W, self.b, self.stride, self.pad, self.dilate)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "dilate", self.dilate
        yield "nobias", self.b is None

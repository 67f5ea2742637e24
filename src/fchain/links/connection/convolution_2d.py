"""``Convolution2D``: the two-dimensional convolution layer around
``F.convolution_2d``.

``Convolution2D(in_channels, out_channels, ksize)`` holds ``W`` of shape
``(out_channels, in_channels / groups, kh, kw)`` and ``b`` of shape
``(out_channels,)``.  ``Convolution2D(out_channels, ksize)`` and
``in_channels=None`` leave ``W`` unsized until the first call, which takes the
channels from the input (Chainer's shorthand).  Defaults as in Chainer: ``W`` from
``LeCunNormal()``, ``b`` zero; ``dilate`` and ``groups`` are keyword-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self, overload

from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, check_groups, groups_arg, pair, raw_ksize, shorthand
from fchain.links.connection._filter_link import FilterLink
from fchain.links.connection._from_params import bias_array, weight_array
from fchain.ops.connection.convolution_nd import convolution_2d
from fchain.types import Array

__all__ = ["Convolution2D"]


class Convolution2D(FilterLink):
    """A 2-d convolution layer with filter ``W`` and (unless ``nobias``) bias ``b``.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch.
            With ``ksize`` left out, the arguments shift: ``Convolution2D(16, 3)`` is
            ``Convolution2D(None, 16, 3)``.
        out_channels: output channels.
        ksize: filter size, ``k`` or ``(kh, kw)``.
        stride, pad: as ``F.convolution_2d``'s, an int or a pair.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
        dilate: dilation of the filter, an int or a pair (keyword-only).
        groups: channel groups convolved independently; must divide both channel
            counts (keyword-only).
    """

    ksize: int | tuple[int, ...]
    stride: tuple[int, int]
    pad: tuple[int, int]
    dilate: tuple[int, int]
    groups: int

    @overload
    def __init__(self, in_channels: int | None, out_channels: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, *, dilate: IntOrTuple = 1, groups: int = 1) -> None: ...
    @overload
    def __init__(self, in_channels: int, out_channels: IntOrTuple, ksize: None = None, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, *, dilate: IntOrTuple = 1, groups: int = 1) -> None: ...

    def __init__(self, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None = None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, *,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None:
        super().__init__()
        cls = "Convolution2D"
        c_in, c_out, k = shorthand(in_channels, out_channels, ksize)
        self.ksize = raw_ksize(cls, k, 2)
        self.stride = pair(cls, "stride", stride, 1)
        self.pad = pair(cls, "pad", pad, 0)
        self.dilate = pair(cls, "dilate", dilate, 1)
        self.groups = groups_arg(cls, groups)
        n_in, n_out = count_or_none(cls, "in_channels", c_in), count(cls, "out_channels", c_out)
        check_groups(cls, n_in, n_out, self.groups)
        self._register(n_in, n_out, nobias, initialW, initial_bias)

    @classmethod
    def from_params(cls, W: Variable | Array, b: Variable | Array | None = None, stride: IntOrTuple = 1,
                    pad: IntOrTuple = 0, nobias: bool = False, *, dilate: IntOrTuple = 1, groups: int = 1) -> Self:
        """The layer whose ``W`` (``(out, in / groups, kh, kw)``) and ``b`` start as
        copies of the given ones, its sizes read from ``W`` (Chainer 7's
        ``from_params``)."""
        where = f"{cls.__name__}.from_params"
        w = weight_array(where, W, 4)
        out_channels, in_per_group, kh, kw = (int(n) for n in w.shape)
        bias = bias_array(where, b, out_channels)
        return cls(in_per_group * groups, out_channels, (kh, kw), stride, pad, nobias, initialW=w,
                   initial_bias=bias, dilate=dilate, groups=groups)

    def _filter_shape(self, in_channels: int) -> tuple[int, ...]:
        check_groups(type(self).__name__, in_channels, self.out_channels, self.groups)
        return (self.out_channels, in_channels // self.groups) + pair("Convolution2D", "ksize", self.ksize, 1)

    def forward(self, x: Variable | Array) -> Variable:
        """``convolution_2d(x, W, b, stride, pad, dilate=..., groups=...)``; sizes
        ``W`` from ``x``'s channels on the first call when they were left out."""
        W = self._sized_filter(x, 2)
        return convolution_2d(x, W, self.b, self.stride, self.pad, dilate=self.dilate, groups=self.groups)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.b is None
        yield "dilate", self.dilate
        yield "groups", self.groups

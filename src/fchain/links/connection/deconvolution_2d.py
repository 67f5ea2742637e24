"""``Deconvolution2D``: the two-dimensional transposed convolution layer around
``F.deconvolution_2d``.

``Deconvolution2D(in_channels, out_channels, ksize)`` holds ``W`` of shape
``(in_channels, out_channels / groups, kh, kw)`` (input channels first, as the
adjoint of a convolution's filter) and ``b`` of shape ``(out_channels,)``.
``Deconvolution2D(out_channels, ksize)`` and ``in_channels=None`` size ``W`` from
the first batch.  Defaults as in Chainer: ``W`` from ``LeCunNormal()``, ``b`` zero;
``dilate`` and ``groups`` are keyword-only.  ``outsize`` is ``None`` when not given
(Chainer keeps ``(None, None)``; both mean "the smallest size").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, check_groups, groups_arg, pair, raw_ksize, shorthand
from fchain.links.connection._filter_link import FilterLink
from fchain.ops.connection.deconvolution_nd import deconvolution_2d
from fchain.types import Array

__all__ = ["Deconvolution2D"]


class Deconvolution2D(FilterLink):
    """A 2-d transposed convolution layer with filter ``W`` and (unless ``nobias``)
    bias ``b``.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch
            (with ``ksize`` left out the arguments shift, as in ``Convolution2D``).
        out_channels: output channels.
        ksize: filter size, ``k`` or ``(kh, kw)``.
        stride, pad: as ``F.deconvolution_2d``'s, an int or a pair.
        nobias: no bias parameter (``b`` is ``None``).
        outsize: the output's ``(height, width)``, or ``None`` for the smallest.
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
        dilate: dilation of the filter (keyword-only).
        groups: channel groups; must divide both channel counts (keyword-only).
    """

    ksize: int | tuple[int, ...]
    stride: tuple[int, int]
    pad: tuple[int, int]
    outsize: tuple[int, int] | None
    dilate: tuple[int, int]
    groups: int

    @overload
    def __init__(self, in_channels: int | None, out_channels: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, outsize: IntOrTuple | None = None,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, *,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None: ...
    @overload
    def __init__(self, in_channels: int, out_channels: IntOrTuple, ksize: None = None, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, outsize: IntOrTuple | None = None,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, *,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None: ...

    def __init__(self, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None = None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False,
                 outsize: IntOrTuple | None = None, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, *, dilate: IntOrTuple = 1, groups: int = 1) -> None:
        super().__init__()
        cls = "Deconvolution2D"
        c_in, c_out, k = shorthand(in_channels, out_channels, ksize)
        self.ksize = raw_ksize(cls, k, 2)
        self.stride = pair(cls, "stride", stride, 1)
        self.pad = pair(cls, "pad", pad, 0)
        self.outsize = None if outsize is None else pair(cls, "outsize", outsize, 1)
        self.dilate = pair(cls, "dilate", dilate, 1)
        self.groups = groups_arg(cls, groups)
        n_in, n_out = count_or_none(cls, "in_channels", c_in), count(cls, "out_channels", c_out)
        check_groups(cls, n_in, n_out, self.groups)
        self._register(n_in, n_out, nobias, initialW, initial_bias)

    def _filter_shape(self, in_channels: int) -> tuple[int, ...]:
        check_groups(type(self).__name__, in_channels, self.out_channels, self.groups)
        return (in_channels, self.out_channels // self.groups) + pair("Deconvolution2D", "ksize", self.ksize, 1)

    def forward(self, x: Variable | Array) -> Variable:
        """``deconvolution_2d(x, W, b, stride, pad, outsize, dilate=..., groups=...)``;
        sizes ``W`` from ``x``'s channels on the first call when they were left out."""
        W = self._sized_filter(x, 2)
        return deconvolution_2d(x, W, self.b, self.stride, self.pad, self.outsize, dilate=self.dilate,
                                groups=self.groups)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.b is None
        yield "outsize", self.outsize
        yield "dilate", self.dilate
        yield "groups", self.groups

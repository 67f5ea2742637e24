"""``ConvolutionND``, ``Convolution1D`` and ``Convolution3D``: N-dimensional
convolution layers around ``F.convolution_nd`` (Chainer keeps all three here).

``ConvolutionND(ndim, in_channels, out_channels, ksize)`` holds ``W`` of shape
``(out_channels, in_channels / groups, *ksize)`` and ``b`` of shape
``(out_channels,)``; ``ConvolutionND(ndim, out_channels, ksize)`` or
``in_channels=None`` sizes ``W`` from the first batch.  ``Convolution1D`` and
``Convolution3D`` fix ``ndim`` (their ``ksize`` has no default, as in Chainer; pass
``None`` for the short form).  Defaults as in Chainer: ``W`` from
``LeCunNormal()``, ``b`` zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, check_groups, groups_arg, per_axis, shorthand
from fchain.links.connection._filter_link import FilterLink
from fchain.links.connection._from_params import bias_array, weight_array
from fchain.ops._window_args import flag
from fchain.ops.connection.convolution_nd import convolution_nd
from fchain.types import Array

__all__ = ["Convolution1D", "Convolution3D", "ConvolutionND"]


class ConvolutionND(FilterLink):
    """An N-d convolution layer with filter ``W`` and (unless ``nobias``) bias ``b``.

    Args:
        ndim: number of spatial axes.
        in_channels: input channels, or ``None`` to take them from the first batch
            (with ``ksize`` left out the arguments shift, as in ``Convolution2D``).
        out_channels: output channels.
        ksize: filter size, an int or one per axis (kept as a tuple).
        stride, pad, cover_all, dilate, groups: as ``F.convolution_nd``'s.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
    """

    ndim: int
    ksize: tuple[int, ...]
    stride: tuple[int, ...]
    pad: tuple[int, ...]
    cover_all: bool
    dilate: tuple[int, ...]
    groups: int

    @overload
    def __init__(self, ndim: int, in_channels: int | None, out_channels: int, ksize: IntOrTuple,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...
    @overload
    def __init__(self, ndim: int, in_channels: int, out_channels: IntOrTuple, ksize: None = None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...

    def __init__(self, ndim: int, in_channels: int | None, out_channels: IntOrTuple,
                 ksize: IntOrTuple | None = None, stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, cover_all: bool = False,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None:
        super().__init__()
        self._configure(ndim, in_channels, out_channels, ksize, stride, pad, nobias, initialW, initial_bias,
                        cover_all, dilate, groups)

    def _configure(self, ndim: int, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None,
                   stride: IntOrTuple, pad: IntOrTuple, nobias: bool, initialW: InitializerLike,
                   initial_bias: InitializerLike, cover_all: bool, dilate: IntOrTuple, groups: int) -> None:
        """Check and keep the arguments (shorthand resolved), then register ``W`` and ``b``."""
        cls = type(self).__name__
        self.ndim = count(cls, "ndim", ndim)
        c_in, c_out, k = shorthand(in_channels, out_channels, ksize)
        if k is None:
            raise TypeError(f"{cls}: ksize is required")
        self.ksize = per_axis(cls, "ksize", k, self.ndim, 1)
        self.stride = per_axis(cls, "stride", stride, self.ndim, 1)
        self.pad = per_axis(cls, "pad", pad, self.ndim, 0)
        self.cover_all = flag(cls, "cover_all", cover_all)
        self.dilate = per_axis(cls, "dilate", dilate, self.ndim, 1)
        self.groups = groups_arg(cls, groups)
        n_in, n_out = count_or_none(cls, "in_channels", c_in), count(cls, "out_channels", c_out)
        check_groups(cls, n_in, n_out, self.groups)
        self._register(n_in, n_out, nobias, initialW, initial_bias)

    @staticmethod
    def from_params(W: Variable | Array, b: Variable | Array | None = None, stride: IntOrTuple = 1,
                    pad: IntOrTuple = 0, nobias: bool = False, *, cover_all: bool = False, dilate: IntOrTuple = 1,
                    groups: int = 1) -> ConvolutionND:
        """The layer whose ``W`` (``(out, in / groups, *ksize)``) and ``b`` start as
        copies of the given ones, its rank and sizes read from ``W`` (Chainer 7's
        ``from_params``; always a ``ConvolutionND``)."""
        where = "ConvolutionND.from_params"
        w = weight_array(where, W, None)
        out_channels, in_per_group = int(w.shape[0]), int(w.shape[1])
        ksize = tuple(int(n) for n in w.shape[2:])
        bias = bias_array(where, b, out_channels)
        return ConvolutionND(len(ksize), in_per_group * groups, out_channels, ksize, stride, pad, nobias,
                             initialW=w, initial_bias=bias, cover_all=cover_all, dilate=dilate, groups=groups)

    def _filter_shape(self, in_channels: int) -> tuple[int, ...]:
        check_groups(type(self).__name__, in_channels, self.out_channels, self.groups)
        return (self.out_channels, in_channels // self.groups) + self.ksize

    def forward(self, x: Variable | Array) -> Variable:
        """``convolution_nd(x, W, b, stride, pad, cover_all, dilate, groups)``; sizes
        ``W`` from ``x``'s channels on the first call when they were left out."""
        W = self._sized_filter(x, self.ndim)
        return convolution_nd(x, W, self.b, self.stride, self.pad, cover_all=self.cover_all, dilate=self.dilate,
                              groups=self.groups)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "ndim", self.ndim
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.b is None
        yield "cover_all", self.cover_all
        yield "dilate", self.dilate
        yield "groups", self.groups


class Convolution1D(ConvolutionND):
    """``ConvolutionND`` with one spatial axis: ``x`` ``(N, C, L)``."""

    @overload
    def __init__(self, in_channels: int | None, out_channels: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...
    @overload
    def __init__(self, in_channels: int, out_channels: IntOrTuple, ksize: None, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...

    def __init__(self, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, cover_all: bool = False,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None:
        FilterLink.__init__(self)  # ConvolutionND.__init__ only adds ndim, fixed here
        self._configure(1, in_channels, out_channels, ksize, stride, pad, nobias, initialW, initial_bias, cover_all,
                        dilate, groups)


class Convolution3D(ConvolutionND):
    """``ConvolutionND`` with three spatial axes: ``x`` ``(N, C, D, H, W)``."""

    @overload
    def __init__(self, in_channels: int | None, out_channels: int, ksize: IntOrTuple, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...
    @overload
    def __init__(self, in_channels: int, out_channels: IntOrTuple, ksize: None, stride: IntOrTuple = 1,
                 pad: IntOrTuple = 0, nobias: bool = False, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = None, cover_all: bool = False, dilate: IntOrTuple = 1,
                 groups: int = 1) -> None: ...

    def __init__(self, in_channels: int | None, out_channels: IntOrTuple, ksize: IntOrTuple | None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None, cover_all: bool = False,
                 dilate: IntOrTuple = 1, groups: int = 1) -> None:
        FilterLink.__init__(self)  # ConvolutionND.__init__ only adds ndim, fixed here
        self._configure(3, in_channels, out_channels, ksize, stride, pad, nobias, initialW, initial_bias, cover_all,
                        dilate, groups)

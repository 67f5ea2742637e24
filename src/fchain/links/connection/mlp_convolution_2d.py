"""``MLPConvolution2D``: Network in Network's "mlpconv" layer, a ``ChainList`` of
``Convolution2D`` layers: one ``ksize`` convolution followed by ``1x1`` ones, with
``activation`` between them (never after the last).

``MLPConvolution2D(in_channels, (c1, c2, ...), ksize, stride=1, pad=0,
activation=F.relu, conv_init=None, bias_init=None)``: children ``0`` (the
``ksize`` convolution, ``in_channels -> c1``), ``1`` (``c1 -> c2``, 1x1), ...
``MLPConvolution2D((c1, c2, ...), ksize)`` leaves ``in_channels`` to the first
batch (Chainer's shorthand).  ``conv_init`` and ``bias_init`` are keyword-only and
go to every convolution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import overload

from fchain.facade.link import ChainList
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection._conv_args import IntOrTuple, raw_ksize, shorthand
from fchain.links.connection.convolution_2d import Convolution2D
from fchain.ops.activation.relu import relu
from fchain.types import Array

__all__ = ["MLPConvolution2D"]


class MLPConvolution2D(ChainList[Convolution2D]):
    """An mlpconv layer: ``len(out_channels)`` convolutions in a ``ChainList``.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch
            (with ``ksize`` left out the arguments shift: ``MLPConvolution2D((8, 4), 3)``).
        out_channels: the output channels of each convolution, at least one.
        ksize, stride, pad: the first convolution's.
        activation: applied after every convolution but the last (default ``F.relu``).
        conv_init: initializer of every ``W`` (keyword-only).
        bias_init: initializer of every ``b`` (keyword-only).
    """

    activation: Callable[[Variable], Variable]

    @overload
    def __init__(self, in_channels: int | None, out_channels: Sequence[int], ksize: IntOrTuple,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, activation: Callable[[Variable], Variable] = relu, *,
                 conv_init: InitializerLike = None, bias_init: InitializerLike = None) -> None: ...
    @overload
    def __init__(self, in_channels: Sequence[int], out_channels: IntOrTuple, ksize: None = None,
                 stride: IntOrTuple = 1, pad: IntOrTuple = 0, activation: Callable[[Variable], Variable] = relu, *,
                 conv_init: InitializerLike = None, bias_init: InitializerLike = None) -> None: ...

    def __init__(self, in_channels: int | Sequence[int] | None, out_channels: Sequence[int] | IntOrTuple,
                 ksize: IntOrTuple | None = None, stride: IntOrTuple = 1, pad: IntOrTuple = 0,
                 activation: Callable[[Variable], Variable] = relu, *, conv_init: InitializerLike = None,
                 bias_init: InitializerLike = None) -> None:
        cls = "MLPConvolution2D"
        c_in, c_outs, k = shorthand(in_channels, out_channels, ksize)
        if not isinstance(c_outs, Sequence) or isinstance(c_outs, (str, bytes)):
            raise TypeError(f"{cls}: out_channels must be a sequence of ints (one per convolution), got "
                            f"{type(c_outs).__name__}")
        outs = [count(cls, "out_channels", n) for n in c_outs]
        if not outs:
            raise ValueError(f"{cls}: out_channels must name at least one convolution")
        if not callable(activation):
            raise TypeError(f"{cls}: activation must be callable, got {type(activation).__name__}")
        first = Convolution2D(count_or_none(cls, "in_channels", c_in), outs[0], raw_ksize(cls, k, 2), stride, pad,
                              initialW=conv_init, initial_bias=bias_init)
        convs = [first] + [Convolution2D(n_in, n_out, 1, initialW=conv_init, initial_bias=bias_init)
                           for n_in, n_out in zip(outs, outs[1:])]
        super().__init__(*convs)
        self.activation = activation

    def forward(self, x: Variable | Array) -> Variable:
        """The convolutions in order, ``activation`` after each but the last."""
        f = self.activation
        convs = list(self)
        h = convs[0](x)
        for conv in convs[1:]:
            h = conv(f(h))
        return h

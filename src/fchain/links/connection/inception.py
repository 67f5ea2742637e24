"""``Inception``: GoogLeNet's inception module, a ``Chain`` of six ``Convolution2D``
layers over four paths whose outputs are concatenated along the channels.

Paths: a 1x1 convolution (``conv1``); a 1x1 projection then a 3x3 convolution
(``proj3``, ``conv3``); a 1x1 projection then a 5x5 convolution (``proj5``,
``conv5``); 3x3 max pooling (stride 1, pad 1) then a 1x1 projection (``projp``).
Padding keeps the spatial size; ReLU follows the projections and the
concatenation, as in Chainer.
"""

from __future__ import annotations

from fchain.facade.link import Chain
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links.connection.convolution_2d import Convolution2D
from fchain.ops.activation.relu import relu
from fchain.ops.array.concat import concat
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d
from fchain.types import Array

__all__ = ["Inception"]


class Inception(Chain):
    """The inception module of GoogLeNet.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch.
        out1: output channels of the 1x1 path.
        proj3, out3: projection and output channels of the 3x3 path.
        proj5, out5: projection and output channels of the 5x5 path.
        proj_pool: output channels of the pooling path's projection.
        conv_init: initializer of every ``W`` (default ``LeCunNormal()``).
        bias_init: initializer of every ``b`` (default 0).

    The output has ``out1 + out3 + out5 + proj_pool`` channels and the input's
    batch and spatial size.
    """

    conv1: Convolution2D
    proj3: Convolution2D
    conv3: Convolution2D
    proj5: Convolution2D
    conv5: Convolution2D
    projp: Convolution2D

    def __init__(self, in_channels: int | None, out1: int, proj3: int, out3: int, proj5: int, out5: int,
                 proj_pool: int, conv_init: InitializerLike = None, bias_init: InitializerLike = None) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, out1, 1, initialW=conv_init, initial_bias=bias_init)
            self.proj3 = Convolution2D(in_channels, proj3, 1, initialW=conv_init, initial_bias=bias_init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, initialW=conv_init, initial_bias=bias_init)
            self.proj5 = Convolution2D(in_channels, proj5, 1, initialW=conv_init, initial_bias=bias_init)
            self.conv5 = Convolution2D(proj5, out5, 5, pad=2, initialW=conv_init, initial_bias=bias_init)
            self.projp = Convolution2D(in_channels, proj_pool, 1, initialW=conv_init, initial_bias=bias_init)

    def forward(self, x: Variable | Array) -> Variable:
        """The four paths, concatenated along axis 1, then ReLU."""
        out1 = self.conv1(x)
        out3 = self.conv3(relu(self.proj3(x)))
        out5 = self.conv5(relu(self.proj5(x)))
        pool = self.projp(max_pooling_2d(x, 3, stride=1, pad=1))
        return relu(concat((out1, out3, out5, pool), axis=1))

"""``InceptionBN``: the inception module of the batch-normalized GoogLeNet, a
``Chain`` of bias-free ``Convolution2D`` layers each followed by a
``BatchNormalization`` and ReLU.

Paths, concatenated along the channels: an optional 1x1 convolution (``conv1``,
``conv1n``; when ``out1 > 0``); a 1x1 projection then a 3x3 convolution
(``proj3``/``proj3n``, ``conv3``/``conv3n``); a 1x1 projection then two 3x3
convolutions (``proj33``/``proj33n``, ``conv33a``/``conv33an``,
``conv33b``/``conv33bn``); 3x3 max or average pooling (pad 1) with an optional 1x1
projection (``poolp``/``poolpn``, when ``proj_pool`` is given).  ``stride`` applies
to the last convolution of each path and to the pooling.  Children that a
configuration leaves out are ``None`` (Chainer leaves the attribute undefined).
"""

from __future__ import annotations

from typing import Literal

from fchain.facade.link import Chain
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links.connection.convolution_2d import Convolution2D
from fchain.links.normalization.batch_normalization import BatchNormalization
from fchain.ops.activation.relu import relu
from fchain.ops.array.concat import concat
from fchain.ops.pooling.average_pooling_nd import average_pooling_2d
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d
from fchain.types import Array, DTypeLike

__all__ = ["InceptionBN"]


class InceptionBN(Chain):
    """The inception module with batch normalization.

    Args:
        in_channels: input channels, or ``None`` to take them from the first batch.
        out1: output channels of the 1x1 path (0: no such path).
        proj3, out3: projection and output channels of the 3x3 path.
        proj33, out33: projection and output channels of the double 3x3 path.
        pooltype: ``'max'`` or ``'avg'``.
        proj_pool: output channels of the pooling path's projection, or ``None``
            for no projection (the pooled input passes through).
        stride: stride of each path's last convolution and of the pooling; must be
            1 when ``out1 > 0``.
        conv_init: initializer of every ``W`` (default ``LeCunNormal()``).
        dtype: dtype of the batch normalizations' parameters and statistics.
    """

    proj3: Convolution2D
    conv3: Convolution2D
    proj33: Convolution2D
    conv33a: Convolution2D
    conv33b: Convolution2D
    proj3n: BatchNormalization
    conv3n: BatchNormalization
    proj33n: BatchNormalization
    conv33an: BatchNormalization
    conv33bn: BatchNormalization
    conv1: Convolution2D | None
    conv1n: BatchNormalization | None
    poolp: Convolution2D | None
    poolpn: BatchNormalization | None
    out1: int
    proj_pool: int | None
    stride: int
    pooltype: str

    def __init__(self, in_channels: int | None, out1: int, proj3: int, out3: int, proj33: int, out33: int,
                 pooltype: Literal["max", "avg"], proj_pool: int | None = None, stride: int = 1,
                 conv_init: InitializerLike = None, dtype: DTypeLike | None = None) -> None:
        super().__init__()
        if pooltype not in ("max", "avg"):
            raise NotImplementedError(f"InceptionBN: pooltype must be 'max' or 'avg', got {pooltype!r}")
        if out1 > 0 and (stride != 1 or proj_pool is None):
            raise ValueError("InceptionBN: a 1x1 path (out1 > 0) needs stride=1 and a proj_pool")
        self.out1 = out1
        self.proj_pool = proj_pool
        self.stride = stride
        self.pooltype = pooltype
        with self.init_scope():
            self.proj3 = Convolution2D(in_channels, proj3, 1, nobias=True, initialW=conv_init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, stride=stride, nobias=True, initialW=conv_init)
            self.proj33 = Convolution2D(in_channels, proj33, 1, nobias=True, initialW=conv_init)
            self.conv33a = Convolution2D(proj33, out33, 3, pad=1, nobias=True, initialW=conv_init)
            self.conv33b = Convolution2D(out33, out33, 3, pad=1, stride=stride, nobias=True, initialW=conv_init)
            self.proj3n = BatchNormalization(proj3, dtype=dtype)
            self.conv3n = BatchNormalization(out3, dtype=dtype)
            self.proj33n = BatchNormalization(proj33, dtype=dtype)
            self.conv33an = BatchNormalization(out33, dtype=dtype)
            self.conv33bn = BatchNormalization(out33, dtype=dtype)
            if out1 > 0:
                self.conv1 = Convolution2D(in_channels, out1, 1, stride=stride, nobias=True, initialW=conv_init)
                self.conv1n = BatchNormalization(out1, dtype=dtype)
            else:
                self.conv1 = self.conv1n = None
            if proj_pool is not None:
                self.poolp = Convolution2D(in_channels, proj_pool, 1, nobias=True, initialW=conv_init)
                self.poolpn = BatchNormalization(proj_pool, dtype=dtype)
            else:
                self.poolp = self.poolpn = None

    def forward(self, x: Variable | Array) -> Variable:
        """The paths in order (1x1, 3x3, double 3x3, pooling), concatenated along
        axis 1."""
        outs: list[Variable | Array] = []
        if self.conv1 is not None and self.conv1n is not None:
            outs.append(relu(self.conv1n(self.conv1(x))))
        h3 = relu(self.proj3n(self.proj3(x)))
        outs.append(relu(self.conv3n(self.conv3(h3))))
        h33 = relu(self.proj33n(self.proj33(x)))
        h33 = relu(self.conv33an(self.conv33a(h33)))
        outs.append(relu(self.conv33bn(self.conv33b(h33))))
        if self.pooltype == "max":
            p = max_pooling_2d(x, 3, stride=self.stride, pad=1, cover_all=False)
        else:
            p = average_pooling_2d(x, 3, stride=self.stride, pad=1)
        if self.poolp is not None and self.poolpn is not None:
            p = relu(self.poolpn(self.poolp(p)))
        outs.append(p)
        return concat(outs, axis=1)

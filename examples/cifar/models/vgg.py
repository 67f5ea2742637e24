"""The VGG-style network of Chainer's CIFAR example, with batch normalization and dropout.

Thirteen 3x3 convolutions in five stages of 64, 128, 256, 512 and 512 channels, each
stage ending in 2x2 max pooling (32x32 -> 1x1), then a 512-unit hidden layer; every
convolution and the hidden layer are followed by batch normalization and relu.
Dropout (0.3 in the first stage, 0.4 in the others, 0.5 around the hidden layer)
sits between the convolutions of a stage, never right before a pooling.  This is
the "VGG + BN + dropout" recipe for CIFAR of Zagoruyko's torch blog post (2015),
which Chainer's example follows: about 89% on CIFAR-10 and 63% on CIFAR-100 without
data augmentation, by Chainer's account.

The links have the names Chainer's ``VGG`` gives them (``block1_1/conv/W``,
``block1_1/bn/avg_mean``, ..., ``fc1/W``, ``bn_fc1/gamma``, ``fc2/W``), so the two
read each other's npz and HDF5 files.
"""

from __future__ import annotations

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.types import Array

__all__ = ["STAGES", "Block", "VGG"]

# (output channels, number of convolutions) of each stage.
STAGES: tuple[tuple[int, int], ...] = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


class Block(fchain.Chain):
    """A square convolution without bias (batch normalization shifts), batch
    normalization, relu."""

    def __init__(self, out_channels: int, ksize: int, pad: int = 1) -> None:
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(None, out_channels, ksize, pad=pad, nobias=True)
            self.bn = L.BatchNormalization(out_channels)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        return F.relu(self.bn(self.conv(x)))


class VGG(fchain.Chain):
    """VGG for 32x32 images (RGB or greyscale: the first convolution sizes itself),
    ``class_labels`` outputs (unnormalized scores, for ``L.Classifier``)."""

    def __init__(self, class_labels: int = 10) -> None:
        super().__init__()
        # The blocks' names by stage; forward looks the links up by name, so a copy of
        # the model (``copy()``, ``copy.deepcopy``) runs its own links.
        self.stages = tuple(tuple(f"block{s}_{b}" for b in range(1, n + 1))
                            for s, (_, n) in enumerate(STAGES, start=1))
        with self.init_scope():
            for names, (channels, _) in zip(self.stages, STAGES, strict=True):
                for name in names:
                    setattr(self, name, Block(channels, 3))  # Chainer's names, for its files
            self.fc1 = L.Linear(None, 512, nobias=True)
            self.bn_fc1 = L.BatchNormalization(512)
            self.fc2 = L.Linear(None, class_labels, nobias=True)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        h: fchain.Variable | Array = x
        for s, stage in enumerate(self.stages):
            ratio = 0.3 if s == 0 else 0.4
            for b, name in enumerate(stage):
                if b:
                    h = F.dropout(h, ratio=ratio)
                block: Block = getattr(self, name)
                h = block(h)
            h = F.max_pooling_2d(h, ksize=2, stride=2)
        h = F.dropout(h, ratio=0.5)
        h = F.relu(self.bn_fc1(self.fc1(h)))
        h = F.dropout(h, ratio=0.5)
        return self.fc2(h)

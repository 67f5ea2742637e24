"""ResNet-50 for 32x32 images: Chainer's ImageNet ResNet-50 (``examples/imagenet/resnet50.py``)
with a stem sized for CIFAR.

The body is Chainer's: four stages (``res2`` to ``res5``) of 3, 4, 6 and 3 bottleneck
blocks, 256 to 2048 output channels; a bottleneck is 1x1 (reduce) -> 3x3 -> 1x1
(expand), each convolution followed by batch normalization, relu after the first two
and after the sum with the shortcut.  The first block of a stage
(``BottleNeckA``) projects the shortcut with a strided 1x1 convolution; the others
(``BottleNeckB``) add their input.  Convolutions have no bias (the normalization
shifts) and He-normal weights.

The stem differs, since an ImageNet stem (7x7 stride 2, then 3x3 max pooling of stride
2) would shrink a 32x32 image to 8x8 before the first stage: here it is one 3x3
convolution of stride 1 (without Chainer's stem bias, which the normalization would
cancel) with batch normalization and relu, so the stages see 32x32,
16x16, 8x8 and 4x4, and global average pooling replaces the fixed 7x7 one.  This is
large for a CPU (2.4 GFLOP, 1.2 billion multiply-adds, per image forward; VGG
needs 0.63): ``--model resnet50`` is meant for a GPU.
"""

from __future__ import annotations

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import initializers
from fchain.types import Array

__all__ = ["BottleNeckA", "BottleNeckB", "ResNet50", "Stage"]

VariableOrArray = fchain.Variable | Array


class BottleNeckA(fchain.Chain):
    """A bottleneck whose shortcut is a strided 1x1 projection to ``out_size`` channels."""

    def __init__(self, in_size: int, ch: int, out_size: int, stride: int = 2) -> None:
        super().__init__()
        he = initializers.HeNormal()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_size, ch, 1, stride, 0, initialW=he, nobias=True)
            self.bn1 = L.BatchNormalization(ch)
            self.conv2 = L.Convolution2D(ch, ch, 3, 1, 1, initialW=he, nobias=True)
            self.bn2 = L.BatchNormalization(ch)
            self.conv3 = L.Convolution2D(ch, out_size, 1, 1, 0, initialW=he, nobias=True)
            self.bn3 = L.BatchNormalization(out_size)
            self.conv4 = L.Convolution2D(in_size, out_size, 1, stride, 0, initialW=he, nobias=True)
            self.bn4 = L.BatchNormalization(out_size)

    def forward(self, x: VariableOrArray) -> fchain.Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + self.bn4(self.conv4(x)))


class BottleNeckB(fchain.Chain):
    """A bottleneck with an identity shortcut (``in_size`` channels in and out)."""

    def __init__(self, in_size: int, ch: int) -> None:
        super().__init__()
        he = initializers.HeNormal()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_size, ch, 1, 1, 0, initialW=he, nobias=True)
            self.bn1 = L.BatchNormalization(ch)
            self.conv2 = L.Convolution2D(ch, ch, 3, 1, 1, initialW=he, nobias=True)
            self.bn2 = L.BatchNormalization(ch)
            self.conv3 = L.Convolution2D(ch, in_size, 1, 1, 0, initialW=he, nobias=True)
            self.bn3 = L.BatchNormalization(in_size)

    def forward(self, x: VariableOrArray) -> fchain.Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        return F.relu(self.bn3(self.conv3(h)) + x)


class Stage(fchain.ChainList[BottleNeckA | BottleNeckB]):
    """``layers`` bottlenecks: one ``BottleNeckA`` (stride ``stride``), then ``BottleNeckB``s
    (Chainer's ``Block``; the children are named ``0``, ``1``, ... as in Chainer)."""

    def __init__(self, layers: int, in_size: int, ch: int, out_size: int, stride: int = 2) -> None:
        super().__init__()
        self.add_link(BottleNeckA(in_size, ch, out_size, stride))
        for _ in range(layers - 1):
            self.add_link(BottleNeckB(out_size, ch))

    def forward(self, x: VariableOrArray) -> fchain.Variable:
        h = x
        for block in self:
            h = block(h)
        assert isinstance(h, fchain.Variable), "a stage has at least one block"
        return h


class ResNet50(fchain.Chain):
    """ResNet-50 for 32x32 images (RGB or greyscale), ``class_labels`` outputs."""

    def __init__(self, class_labels: int = 10) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 64, 3, 1, 1, initialW=initializers.HeNormal(), nobias=True)
            self.bn1 = L.BatchNormalization(64)
            self.res2 = Stage(3, 64, 64, 256, 1)
            self.res3 = Stage(4, 256, 128, 512)
            self.res4 = Stage(6, 512, 256, 1024)
            self.res5 = Stage(3, 1024, 512, 2048)
            self.fc = L.Linear(2048, class_labels)

    def forward(self, x: VariableOrArray) -> fchain.Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.res5(self.res4(self.res3(self.res2(h))))
        return self.fc(F.mean(h, axis=(2, 3)))  # global average pooling

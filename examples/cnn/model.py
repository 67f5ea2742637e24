"""The Fashion-MNIST CNN: two conv-BN-ReLU-pool blocks and a two-layer classifier.

Small on purpose: it is sized to train ten epochs on a CPU in minutes, not to win.
Each block is a 3x3 convolution without bias (the batch normalization's ``beta``
is the shift, so a bias would only be cancelled by the normalization), batch
normalization, relu and 2x2 max pooling, halving the image: 28x28 -> 14x14 -> 7x7.
"""

from __future__ import annotations

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.types import Array

__all__ = ["ConvBlock", "FashionCNN"]


class ConvBlock(fchain.Chain):
    """conv3x3 (pad 1, no bias) -> BatchNormalization -> relu -> 2x2 max pooling."""

    def __init__(self, out_channels: int) -> None:
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(None, out_channels, 3, pad=1, nobias=True)
            self.bn = L.BatchNormalization(out_channels)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        return F.max_pooling_2d(F.relu(self.bn(self.conv(x))), 2)


class FashionCNN(fchain.Chain):
    """Two ``ConvBlock``s (``channels``), then linear ``n_units`` -> relu -> dropout ->
    linear ``n_out``.

    Dropout acts on the hidden units only, where most of the parameters are (the
    first linear layer holds 7x7x``channels[1]`` x ``n_units`` weights); in test mode
    (``fchain.config.train`` False, as the Evaluator sets it) it passes its input.
    """

    def __init__(self, n_out: int = 10, channels: tuple[int, int] = (16, 32), n_units: int = 128,
                 dropout: float = 0.3) -> None:
        super().__init__()
        self.dropout = dropout
        with self.init_scope():
            self.block1 = ConvBlock(channels[0])
            self.block2 = ConvBlock(channels[1])
            self.fc1 = L.Linear(None, n_units)
            self.fc2 = L.Linear(n_units, n_out)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        h = self.block2(self.block1(x))
        h = F.dropout(F.relu(self.fc1(h)), self.dropout)
        return self.fc2(h)

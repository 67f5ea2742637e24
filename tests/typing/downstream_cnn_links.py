"""A downstream CNN in Chainer 7's idiom with the convolution and normalization
links of issue 12, which ``mypy --strict`` must accept (checked by the main mypy
run) and which runs (``test_downstream_programs.py``): lazily sized convolutions,
batch normalization in training and at test time (its running statistics read as
arrays), the activation links, a saved and reloaded model, one optimizer step."""

from __future__ import annotations

import pathlib

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, Parameter, Variable, optimizers, serializers
from fchain.types import Array


class SmallCNN(Chain):
    """conv-bn-prelu, a depthwise and a dilated convolution, an mlpconv block,
    global average pooling, a maxout head."""

    def __init__(self, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 8, 3, pad=1, nobias=True)
            self.bn1 = L.BatchNormalization(8)
            self.act1 = L.PReLU((8,))
            self.depthwise = L.DepthwiseConvolution2D(8, 2, 3, pad=1)
            self.dilated = L.DilatedConvolution2D(8, 3, pad=2, dilate=2)
            self.mlp = L.MLPConvolution2D((8, 8), 1)
            self.gn = L.GroupNormalization(4)
            self.head = L.Maxout(8, n_out, 2)

    def forward(self, x: Variable | Array) -> Variable:
        h = self.act1(self.bn1(self.conv1(x)))
        h = F.relu(self.dilated(self.depthwise(h)))
        h = self.gn(self.mlp(h))
        h = F.average_pooling_2d(h, h.shape[2])
        return self.head(F.reshape(h, (h.shape[0], 8)))


def main(tmp: str) -> float:
    fchain.initializers.set_random_seed(0)
    model = SmallCNN(3)
    classifier = L.Classifier(model)
    opt = optimizers.MomentumSGD(lr=0.01).setup(classifier)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)
    t = np.array([0, 1, 2, 1], dtype=np.int32)
    opt.update(classifier, x, t)
    W: Parameter = model.conv1.W
    assert W.array is not None and W.array.shape == (8, 3, 3, 3)
    running: Array = model.bn1.avg_mean
    count: int = model.bn1.N
    with fchain.using_config("train", False):
        before = model(x).array
    path = pathlib.Path(tmp) / "cnn.npz"
    serializers.save_npz(path, model)
    fresh = SmallCNN(3)
    serializers.load_npz(path, fresh)
    with fchain.using_config("train", False):
        after = fresh(x).array
    assert np.array_equal(before, after)
    return float(running.sum()) + count + float(after.sum())


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(main(folder))

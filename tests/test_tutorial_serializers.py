"""The seed tutorial's "序列化器" section, literally (chainer -> fchain, type
annotations added for mypy --strict), run in a temporary folder on the model and
optimizer the tutorial built just before it (MyChain, SGD with WeightDecay)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, optimizers, serializers
from fchain.types import Array
from tests.arrays import values


class MyChain(Chain):
    def __init__(self) -> None:
        super(MyChain, self).__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 3)
            self.l2 = L.Linear(3, 2)

    def __call__(self, x: fchain.Variable) -> fchain.Variable:
        h = self.l1(x)
        return self.l2(h)


def _tutorial_training() -> tuple[MyChain, optimizers.SGD]:
    model = MyChain()
    optimizer = optimizers.SGD()
    optimizer.setup(model)
    optimizer.add_hook(fchain.optimizer.WeightDecay(0.0005))
    x = np.random.uniform(-1, 1, (2, 4)).astype('f')
    model.cleargrads()
    loss = F.sum(model(fchain.Variable(x)))
    loss.backward()
    optimizer.update()
    return model, optimizer


def _params(model: MyChain) -> dict[str, Array]:
    return {name: values(p).copy() for name, p in model.namedparams()}


@pytest.mark.parametrize("fmt", ["npz", "hdf5"])
def test_tutorial_serializers_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    model, optimizer = _tutorial_training()
    trained = _params(model)

    if fmt == "npz":
        serializers.save_npz('my.model', model)
        serializers.load_npz('my.model', model)
        serializers.save_npz('my.state', optimizer)
        serializers.load_npz('my.state', optimizer)
    else:  # "只需用save_hdf5（）和load_hdf5（）分别替换save_npz（）和load_npz（）即可"
        serializers.save_hdf5('my.model', model)
        serializers.load_hdf5('my.model', model)
        serializers.save_hdf5('my.state', optimizer)
        serializers.load_hdf5('my.state', optimizer)

    assert sorted(os.listdir(tmp_path)) == ["my.model", "my.state"]
    for name, array in _params(model).items():
        np.testing.assert_array_equal(array, trained[name])
    assert optimizer.t == 1

    # What the saved files are for: a new model and optimizer resume from them.
    restored = MyChain()
    resumed = optimizers.SGD(lr=0.5)
    resumed.setup(restored)
    if fmt == "npz":
        serializers.load_npz('my.model', restored)
        serializers.load_npz('my.state', resumed)
    else:
        serializers.load_hdf5('my.model', restored)
        serializers.load_hdf5('my.state', resumed)
    for name, array in _params(restored).items():
        np.testing.assert_array_equal(array, trained[name])
    assert resumed.t == 1
    assert resumed.lr == pytest.approx(0.01)  # SGD's default, saved with the state

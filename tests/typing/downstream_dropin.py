"""Chainer 7 code that reaches everything from ``import fchain`` alone, and that
``mypy --strict`` must accept (checked by the main mypy run; run by
``test_downstream_programs.py``)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

import fchain


class Scale(fchain.FunctionNode):
    """y = 2 x, with a Chainer-style input check."""

    def check_type_forward(self, in_types: fchain.utils.type_check.TypeInfoTuple) -> None:
        fchain.utils.type_check.expect(in_types.size() == 1, in_types[0].dtype.kind == "f")

    def forward(self, inputs: tuple[fchain.types.Array, ...]) -> tuple[fchain.types.Array, ...]:
        return (inputs[0] * 2,)


def make_model(**kwargs: Any) -> fchain.links.Classifier:
    n_units, = fchain.utils.argument.parse_kwargs(kwargs, ("n_units", 4))
    return fchain.links.Classifier(fchain.links.connection.linear.Linear(None, int(n_units)))


def main(folder: str) -> float:
    device = fchain.get_device("-1")
    model = make_model(n_units=3)
    model.to_device(device)
    x = np.ones((2, 5), dtype=fchain.get_dtype())
    t = np.array([0, 2], dtype=np.int32)
    with fchain.configuration.using_config("train", False), fchain.using_device(device):
        loss = fchain.functions.loss.softmax_cross_entropy.softmax_cross_entropy(model.predictor(x), t)
    path = os.path.join(folder, "model.npz")
    fchain.serializers.save_npz(path, model)
    fchain.serializers.load_npz(path, model)
    host = fchain.backends.cuda.to_cpu(loss.array)
    (y,) = Scale().apply((x,))
    updater_class: type[fchain.training.StandardUpdater] = fchain.training.updater.StandardUpdater
    assert updater_class is fchain.training.updaters.StandardUpdater
    return float(host) + float(y.array.sum())

"""A downstream model that ``mypy --strict`` must accept (checked by the main mypy run).

The typed pattern: define ``forward`` with annotations; ``model(x)`` then has
``forward``'s parameters and result.  Links assigned in ``init_scope()`` keep
their types (``model.l1.W`` is a ``Parameter``); ``L.Classifier(model)`` keeps the
predictor's type; ``optimizer.setup(model)`` returns the optimizer.
"""

from __future__ import annotations

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, ChainList, Parameter, Sequential, Variable, initializers, optimizers
from fchain.types import Array


class MLP(Chain):
    """Two linear layers; the first learns its input size from the first batch."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(n_units, n_out, initialW=initializers.HeNormal())

    def forward(self, x: Variable | Array) -> Variable:
        h = F.relu(self.l1(x))
        return self.l2(h)


class Stack(ChainList[L.Linear]):
    """A typed ChainList: its elements are ``Linear``."""

    def forward(self, x: Variable | Array) -> tuple[Variable, int]:
        h = self[0](x)
        for link in self[1:]:
            h = link(h)
        return h, len(self)


def main() -> float:
    initializers.set_random_seed(0)
    model = MLP(8, 3)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    t = np.array([0, 1, 2, 1, 0], dtype=np.int32)

    y: Variable = model(x)
    W: Parameter = model.l1.W
    names: list[str] = [name for name, _ in model.namedparams()]

    classifier = L.Classifier(model)
    predictor: MLP = classifier.predictor
    optimizer = optimizers.SGD(lr=0.1).setup(classifier)
    sgd: optimizers.SGD = optimizer
    loss = classifier(x, t)
    classifier.cleargrads()
    loss.backward()
    sgd.update()

    stack = Stack(L.Linear(4, 4), L.Linear(4, 2))
    out, depth = stack(x)
    first: L.Linear = stack[0]
    seq = Sequential(L.Linear(4, 3), F.relu)
    z: Variable = seq(x)
    twin: MLP = model.copy("init")
    twin.copyparams(model)
    n: int = model.count_params() + depth + len(names) + first.out_size

    with fchain.Reporter() as reporter:
        fchain.report({"n": n})
    assert predictor is model and W.array is not None and reporter.observation
    return float(y.array.sum() + out.array.sum() + z.array.sum())


if __name__ == "__main__":
    print(main())

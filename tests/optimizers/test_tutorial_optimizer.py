"""The seed tutorial's "优化器" (optimizer) section, literally (chainer -> fchain, type
annotations added for mypy --strict), with each update checked against gradients
and the SGD + weight-decay step computed here by hand in float64."""

from __future__ import annotations

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Chain, optimizers
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


def _params(model: MyChain) -> dict[str, Array]:
    return {name: values(p).astype(np.float64) for name, p in model.namedparams()}


def _expected_step(p: dict[str, Array], x: Array, lr: float = 0.01, decay: float = 0.0005) -> dict[str, Array]:
    """SGD with WeightDecay on loss = sum(l2(l1(x))), gradients derived by hand."""
    n = x.shape[0]
    h = x @ p["/l1/W"].T + p["/l1/b"]
    dh = np.ones((n, 2)) @ p["/l2/W"]  # d loss / d h
    grads = {
        "/l2/W": np.ones((n, 2)).T @ h,
        "/l2/b": np.full(2, float(n)),
        "/l1/W": dh.T @ x,
        "/l1/b": dh.sum(axis=0),
    }
    return {k: p[k] - lr * (grads[k] + decay * p[k]) for k in p}


def _assert_params(model: MyChain, expected: dict[str, Array]) -> None:
    got = _params(model)
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_tutorial_optimizer_section() -> None:
    model = MyChain()
    optimizer = optimizers.SGD()
    optimizer.setup(model)

    optimizer.add_hook(fchain.optimizer.WeightDecay(0.0005))

    before = _params(model)
    x = np.random.uniform(-1, 1, (2, 4)).astype('f')
    model.cleargrads()
    # compute gradient here...
    loss = F.sum(model(fchain.Variable(x)))
    loss.backward()
    optimizer.update()
    _assert_params(model, _expected_step(before, x.astype(np.float64)))

    def lossfun(arg1: fchain.Variable, arg2: fchain.Variable) -> fchain.Variable:
        # calculate loss
        loss = F.sum(model(arg1 - arg2))
        return loss

    before = _params(model)
    arg1 = np.random.uniform(-1, 1, (2, 4)).astype('f')
    arg2 = np.random.uniform(-1, 1, (2, 4)).astype('f')
    optimizer.update(lossfun, fchain.Variable(arg1), fchain.Variable(arg2))
    # update(lossfun) cleared the first step's gradients before its backward pass
    _assert_params(model, _expected_step(before, (arg1 - arg2).astype(np.float64)))
    assert optimizer.t == 2

"""One optimizer update over the tutorial MLP's parameters, against hand-written numpy.

The MLP is the tutorial's 784-100-100-10 (``L.Linear`` layers: W of shapes
(100, 784), (100, 100), (10, 100) and their biases).  For SGD, MomentumSGD and Adam
the table shows the median time of ``optimizer.update()`` (gradients already
computed), the median time of the same update written by hand as in-place numpy
over the same parameter, gradient and state arrays (the optimizer's own moments:
how fast an elementwise loop over several arrays runs depends on their relative
alignment in memory, by up to 10% for Adam's, so a floor with arrays of its own
would move the ratio with wherever the allocator put them), and the ratio
(target: at most 1.2).
The two are timed alternately within each round so machine load affects both alike;
the ratio is the median of the per-round ratios.

Run: ``python benchmarks/optimizer_update.py`` (threads pinned to 1 for numpy's BLAS).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import gc  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import fchain.links as L  # noqa: E402
from fchain import Chain, Variable  # noqa: E402
from fchain import optimizers  # noqa: E402
from fchain.facade.optimizer import GradientMethod, UpdateRule  # noqa: E402
from fchain.types import Array  # noqa: E402

TARGET_RATIO = 1.2
ROUNDS = 15
NUMBER = 200


class MLP(Chain):
    """The tutorial's three-layer perceptron."""

    def __init__(self, n_units: int = 100, n_out: int = 10) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(784, n_units)
            self.l2 = L.Linear(n_units, n_units)
            self.l3 = L.Linear(n_units, n_out)

    def forward(self, x: Variable) -> Variable:
        return self.l3(self.l2(self.l1(x)))


def _model_with_grads(seed: int) -> tuple[MLP, list[Array], list[Array]]:
    model = MLP()
    rng = np.random.default_rng(seed)
    for param in model.params():
        param.grad = (rng.standard_normal(param.shape) * 0.01).astype(np.float32)
    datas: list[Array] = []
    grads: list[Array] = []
    for p in model.params():
        data, g = p.array, p.grad
        assert data is not None and g is not None
        datas.append(data)
        grads.append(g)
    return model, datas, grads


States = list[dict[str, Array]]
"""Each parameter's state arrays, by the names Chainer gives them."""


def _hand_sgd(datas: list[Array], grads: list[Array], states: States) -> Callable[[], None]:
    lr = 0.01

    def step() -> None:
        for p, g in zip(datas, grads):
            p -= lr * g

    return step


def _hand_momentum(datas: list[Array], grads: list[Array], states: States) -> Callable[[], None]:
    lr, momentum = 0.01, 0.9
    vs = [state["v"] for state in states]

    def step() -> None:
        for p, g, v in zip(datas, grads, vs):
            v *= momentum
            v -= lr * g
            p += v

    return step


def _hand_adam(datas: list[Array], grads: list[Array], states: States) -> Callable[[], None]:
    alpha, beta1, beta2, eps = 0.001, 0.9, 0.999, 1e-8
    ms = [state["m"] for state in states]
    vs = [state["v"] for state in states]
    t = [0]

    def step() -> None:
        t[0] += 1
        alpha_t = alpha * math.sqrt(1.0 - beta2 ** t[0]) / (1.0 - beta1 ** t[0])
        for p, g, m, v in zip(datas, grads, ms, vs):
            m += (1.0 - beta1) * (g - m)
            v += (1.0 - beta2) * (g * g - v)
            p -= alpha_t * m / (np.sqrt(v) + eps)

    return step


def _time(fn: Callable[[], object], number: int) -> float:
    gc.disable()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed / number


def measure(make_opt: Callable[[], GradientMethod],
            make_hand: Callable[[list[Array], list[Array], States], Callable[[], None]],
            seed: int) -> tuple[float, float, float]:
    """(fchain seconds, numpy seconds, ratio): medians over ``ROUNDS`` rounds."""
    model, datas, grads = _model_with_grads(seed)
    opt = make_opt().setup(model)
    for _ in range(5):  # warm up: state allocation, caches
        opt.update()
    states: States = []
    for p in model.params():
        rule = p.update_rule
        assert isinstance(rule, UpdateRule) and rule.state is not None
        states.append(dict(rule.state))
    hand = make_hand(datas, grads, states)
    for _ in range(5):
        hand()
    ours, theirs, ratios = [], [], []
    for r in range(ROUNDS):
        if r % 2:
            a = _time(opt.update, NUMBER)
            b = _time(hand, NUMBER)
        else:
            b = _time(hand, NUMBER)
            a = _time(opt.update, NUMBER)
        ours.append(a)
        theirs.append(b)
        ratios.append(a / b)
    return statistics.median(ours), statistics.median(theirs), statistics.median(ratios)


def main() -> int:
    cases: list[tuple[str, Callable[[], GradientMethod],
                      Callable[[list[Array], list[Array], States], Callable[[], None]]]] = [
        ("SGD", lambda: optimizers.SGD(lr=0.01), _hand_sgd),
        ("MomentumSGD", lambda: optimizers.MomentumSGD(lr=0.01, momentum=0.9), _hand_momentum),
        ("Adam", lambda: optimizers.Adam(), _hand_adam),
    ]
    print(f"optimizer update over the 784-100-100-10 MLP "
          f"(median of {ROUNDS} rounds x {NUMBER} updates)")
    print(f"{'optimizer':<12} {'fchain us':>10} {'numpy us':>10} {'ratio':>7}  target <= {TARGET_RATIO}")
    failed = 0
    for i, (name, make_opt, make_hand) in enumerate(cases):
        ours, theirs, ratio = measure(make_opt, make_hand, seed=i)
        ok = ratio <= TARGET_RATIO
        failed += not ok
        print(f"{name:<12} {ours * 1e6:>10.1f} {theirs * 1e6:>10.1f} {ratio:>7.3f}  "
              f"{'ok' if ok else 'OVER'}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

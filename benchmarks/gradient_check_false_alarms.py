"""How often a correct float32 rule fails a gradient check, by the numerical side's dtype.

``fchain.testing`` computes the numerical side of every gradient check in float64
whatever the inputs' dtype; ``fchain.gradient_check.check_backward`` keeps
Chainer's default (the inputs' dtype).  This script measures why: for a few of
fchain's ops (whose float32 rules are right: the op property test checks them
against float64), float32 inputs of shape (3, 4) drawn uniformly in [-1, 1) from
each seed, a random output gradient, Chainer's default tolerances (eps 1e-3, atol
1e-5, rtol 1e-4), and the share of seeds on which ``check_backward`` raises with
the numerical side in float32 and in float64.  Every failure is a false alarm.

Run: ``python benchmarks/gradient_check_false_alarms.py [SEEDS]`` (300 by default).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy

import fchain.functions as F
from fchain import Variable
from fchain.gradient_check import check_backward

OPS: dict[str, Callable[[Variable, Variable], Variable]] = {
    "sin": lambda x, w: F.sin(x),
    "tanh": lambda x, w: F.tanh(x),
    "sigmoid": lambda x, w: F.sigmoid(x),
    "exp": lambda x, w: F.exp(x),
    "softmax": lambda x, w: F.softmax(x),
    "matmul": lambda x, w: F.matmul(x, w),
}


def fails(name: str, seed: int, numerical_dtype: type[numpy.floating]) -> bool:
    """Whether the check of op ``name`` on the inputs of ``seed`` raises."""
    rng = numpy.random.default_rng(seed)
    x = rng.uniform(-1, 1, (3, 4)).astype(numpy.float32)
    w = rng.uniform(-1, 1, (4, 3)).astype(numpy.float32)
    shape = OPS[name](Variable(x), Variable(w)).shape
    gy = rng.standard_normal(shape).astype(numpy.float32)
    try:
        check_backward(OPS[name], (x, w), gy, no_grads=[False, name != "matmul"], dtype=numerical_dtype,
                       rng=numpy.random.default_rng(seed + 1))
    except AssertionError:
        return True
    return False


def main(seeds: int) -> None:
    print(f"false alarms of check_backward on correct float32 rules, {seeds} seeds each")
    print(f"{'op':10s} {'float32 numerical side':>24s} {'float64 numerical side':>24s}")
    for name in OPS:
        rates = [sum(fails(name, s, dt) for s in range(seeds)) / seeds for dt in (numpy.float32, numpy.float64)]
        print(f"{name:10s} {rates[0]:24.1%} {rates[1]:24.1%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)

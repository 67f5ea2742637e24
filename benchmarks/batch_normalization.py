"""F.batch_normalization, forward and backward, against hand-written numpy.

The shapes are a small CNN's training step on CIFAR-sized images (3x32x32, batch
64): batch normalization after a convolution of 32 channels at 32x32 and of 64
channels at 16x16, float32, with running statistics updated as
``L.BatchNormalization`` would.  The floor is the same computation written directly
in numpy by hand (mean, centred values, variance, ``x_hat`` kept for the backward,
the running averages; the backward's two reductions and the input gradient), with
no graph.  A third row, an MLP's hidden layer (100 x 100), shows the fixed cost of a
call where the arithmetic is small.  Each step releases its results at its end (the floor's ``gx``, fchain's
``x.grad``): which arrays outlive a step decides what the allocator hands back to
the system and must fault in again, and that should not differ.  Both are timed
alternately within each round so machine load affects
them alike; the ratio is the median of the per-round ratios.

Run: ``python benchmarks/batch_normalization.py`` (threads pinned to 1).
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

import fchain  # noqa: E402
import fchain.functions as F  # noqa: E402
from fchain.types import Array  # noqa: E402

SHAPES = [(64, 32, 32, 32), (64, 64, 16, 16), (100, 100)]
ROUNDS = 15
ELEMENTS_PER_ROUND = 20_000_000  # calls per round: about this many elements in all (10 at CNN shapes)
EPS = 2e-5
DECAY = 0.9


def _inputs(shape: tuple[int, ...], seed: int) -> tuple[Array, Array, Array, Array]:
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.standard_normal(shape, dtype=np.float32)
    gy = rng.standard_normal(shape, dtype=np.float32)
    gamma = rng.uniform(0.5, 1.5, c).astype(np.float32)
    beta = rng.standard_normal(c, dtype=np.float32)
    return x, gy, gamma, beta


def fchain_step(shape: tuple[int, ...]) -> Callable[[], None]:
    """One forward and backward of F.batch_normalization, running statistics on."""
    x_data, gy, gamma_data, beta_data = _inputs(shape, 0)
    x, gamma, beta = fchain.Variable(x_data), fchain.Variable(gamma_data), fchain.Variable(beta_data)
    running_mean = np.zeros(shape[1], np.float32)
    running_var = np.ones(shape[1], np.float32)

    def step() -> None:
        y = F.batch_normalization(x, gamma, beta, eps=EPS, running_mean=running_mean,
                                  running_var=running_var, decay=DECAY)
        y.grad = gy
        y.backward()
        x.grad = gamma.grad = beta.grad = None  # used and released, as the floor's gx

    return step


def numpy_step(shape: tuple[int, ...]) -> Callable[[], None]:
    """The floor: the same forward and backward written directly in numpy."""
    x, gy, gamma, beta = _inputs(shape, 0)
    c = shape[1]
    axes = (0,) + tuple(range(2, len(shape)))
    m = x.size // c
    adjust = m / (m - 1)
    kept = (1, c) + (1,) * (len(shape) - 2)
    g4, b4 = gamma.reshape(kept), beta.reshape(kept)
    running_mean = np.zeros(c, np.float32)
    running_var = np.ones(c, np.float32)

    def step() -> None:
        mean = x.mean(axis=axes, keepdims=True)
        x_hat = x - mean
        var = (x_hat * x_hat).mean(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + EPS)
        x_hat *= inv_std
        y = x_hat * g4
        y += b4
        running_mean[...] = DECAY * running_mean + (1 - DECAY) * mean.ravel()
        running_var[...] = DECAY * running_var + (1 - DECAY) * adjust * var.ravel()
        gbeta = gy.sum(axis=axes, keepdims=True)
        ggamma = (gy * x_hat).sum(axis=axes, keepdims=True)
        t = x_hat * ggamma
        t += gbeta
        t *= 1.0 / m
        gx = (g4 * inv_std) * (gy - t)
        del y, gx

    return step


def _time(step: Callable[[], None], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        step()
    return (time.perf_counter() - start) / number


def main() -> None:
    print(f"batch normalization, float32, forward + backward (medians of {ROUNDS} rounds)")
    print(f"{'shape':>20} {'fchain ms':>10} {'numpy ms':>10} {'ratio':>7}")
    gc.disable()
    for shape in SHAPES:
        ours, floor = fchain_step(shape), numpy_step(shape)
        ours(), floor()  # warm up
        number = max(1, ELEMENTS_PER_ROUND // math.prod(shape))
        times_f, times_n, ratios = [], [], []
        for _ in range(ROUNDS):
            tf, tn = _time(ours, number), _time(floor, number)
            times_f.append(tf)
            times_n.append(tn)
            ratios.append(tf / tn)
        print(f"{str(shape):>20} {statistics.median(times_f) * 1e3:10.3f} "
              f"{statistics.median(times_n) * 1e3:10.3f} {statistics.median(ratios):7.3f}")
    gc.enable()


if __name__ == "__main__":
    main()

"""Per-op overhead of fchain against the hand-written numpy floor, in one run.

Prints a table: medians of several rounds, and the ratio to the numpy floor.

* chain: 50 elementwise ops on a (10,) float32 array, forward + backward, per op
  (target: at most 4 us per op on the issue's 2-core machine);
* expression: ``y = x**2 - 2*x + 1`` on one element, forward + backward
  (target: at most 25 us).
* memory: peak traced memory during backward of a 20-layer MLP against the
  forward's peak (target: within 15%).

Run: ``python benchmarks/overhead.py`` (threads pinned to 1 for numpy's BLAS).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import gc  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import fchain  # noqa: E402
import fchain.functions as F  # noqa: E402
from fchain import Variable  # noqa: E402

CHAIN_LENGTH = 50


def _median_seconds(fn: Callable[[], object], number: int, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        gc.disable()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
        gc.enable()
    return statistics.median(times)


def chain_fchain() -> None:
    x = Variable(np.linspace(-1, 1, 10, dtype=np.float32))
    y = x
    for i in range(CHAIN_LENGTH):
        k = i % 3
        if k == 0:
            y = y * 0.3
        elif k == 1:
            y = y + 0.01
        else:
            y = F.exp(y)
    y.grad = np.ones(10, dtype=np.float32)
    y.backward()


def chain_numpy() -> None:
    """The same computation by hand: forward keeping what backward needs, then backward."""
    x = np.linspace(-1, 1, 10, dtype=np.float32)
    saved: list[np.ndarray] = []
    y = x
    for i in range(CHAIN_LENGTH):
        k = i % 3
        if k == 0:
            y = y * np.float32(0.3)
        elif k == 1:
            y = y + np.float32(0.01)
        else:
            y = np.exp(y)
            saved.append(y)
    g = np.ones(10, dtype=np.float32)
    for i in reversed(range(CHAIN_LENGTH)):
        k = i % 3
        if k == 0:
            g = g * np.float32(0.3)
        elif k == 2:
            g = g * saved.pop()


def expr_fchain() -> None:
    x = Variable(np.array([5], dtype=np.float32))
    y = x**2 - 2 * x + 1
    y.backward()


def expr_numpy() -> None:
    x = np.array([5], dtype=np.float32)
    y = x**2 - 2 * x + 1
    gy = np.ones_like(y)
    gx = gy * 2 * x - 2 * gy
    del gx


def mlp_memory(depth: int = 20, width: int = 100, batch: int = 1000) -> tuple[int, int, int]:
    """Peak traced bytes of the forward pass and of the backward pass of a
    ``depth``-layer linear+relu MLP, and the bytes of the weight gradients (which
    backward must create, so they are reported apart)."""
    rng = np.random.default_rng(0)
    weights = [Variable(rng.standard_normal((width, width)).astype(np.float32) * 0.1)
               for _ in range(depth)]
    x = Variable(rng.standard_normal((batch, width)).astype(np.float32))
    tracemalloc.start()
    h = x
    for w in weights:
        h = F.relu(F.linear(h, w))
    loss = F.sum(h)
    _, forward_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    loss.backward()
    _, backward_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    param_grads = sum(w.array.nbytes for w in weights)
    return forward_peak, backward_peak, param_grads


def main() -> None:
    rows: list[tuple[str, float, float, str]] = []
    chain_f = _median_seconds(chain_fchain, 200) / CHAIN_LENGTH * 1e6
    chain_n = _median_seconds(chain_numpy, 200) / CHAIN_LENGTH * 1e6
    rows.append(("chain of 50 elementwise ops (us/op)", chain_f, chain_n, "<= 4 us/op"))
    expr_f = _median_seconds(expr_fchain, 2000) * 1e6
    expr_n = _median_seconds(expr_numpy, 2000) * 1e6
    rows.append(("x**2 - 2x + 1, fwd+bwd (us)", expr_f, expr_n, "<= 25 us"))
    print(f"{'benchmark':<40}{'fchain':>10}{'numpy':>10}{'ratio':>8}  target")
    for name, f, n, target in rows:
        print(f"{name:<40}{f:>10.2f}{n:>10.2f}{f / n:>8.2f}  {target}")
    fwd, bwd, grads = mlp_memory()
    print(f"\n20-layer MLP (width 100, batch 1000), peak traced memory:\n"
          f"  forward {fwd / 2**20:.2f} MiB, backward {bwd / 2**20:.2f} MiB "
          f"(of which weight gradients {grads / 2**20:.2f} MiB)\n"
          f"  backward/forward = {bwd / fwd:.3f} (target <= 1.15); "
          f"without the weight gradients {(bwd - grads) / fwd:.3f}")


if __name__ == "__main__":
    main()

"""A small CNN's training step: fchain against PyTorch and the floor numpy's GEMM sets.

The network (CIFAR-sized, float32, batch 64, threads = 1):
``conv3x3(3->32) relu conv3x3(32->32) relu maxpool2 conv3x3(32->64) relu
conv3x3(64->64) relu maxpool2 linear(4096->256) relu linear(256->10)``, softmax cross
entropy, MomentumSGD (lr 0.01, momentum 0.9).  The convolutions pad by 1.  The model
is built from ``L.Convolution2D`` and ``L.Linear`` links (PyTorch's from ``nn.Conv2d``
and ``nn.Linear``), in two variants: as above, and with batch normalization between
each convolution and its relu (conv-BN-ReLU: ``L.BatchNormalization`` /
``nn.BatchNorm2d`` in training mode, the convolutions then without bias, as usual
before a normalization).

Printed: seconds per step (median over interleaved rounds, and the ratio of the
best rounds; the machine is shared
and noisy, so the rounds alternate implementations and the whole run is worth
repeating), steps/s, fchain's ratio to PyTorch's step when PyTorch can be run (in
this interpreter if ``torch`` imports, else by ``--torch-python PATH``: that
interpreter runs this file with ``--torch-serve``, one process per variant kept
warm for the whole run, timing a round whenever fchain has timed one), the same
ratio in CPU time per step (the process's user + system time: less sensitive than
wall time to other processes on a shared machine, which stretch both sides' wall
times by whatever share of a core they take), and the
GEMM floor: the step's multiply-add FLOPs over the single-thread sgemm throughput
measured in this run at the step's own GEMM shapes, with fchain's share of it.
Then the peak memory of a step (traced numpy allocations) against its forward's.

Both variants are timed against PyTorch; the last lines sum up the two ratios.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

BATCH = 64
# (in channels, out channels, spatial size) of the four 3x3 convolutions (pad 1).
CONVS = [(3, 32, 32), (32, 32, 32), (32, 64, 16), (64, 64, 16)]
FCS = [(4096, 256), (256, 10)]
F32 = npt.NDArray[np.float32]


def step_flops() -> tuple[float, list[tuple[int, int, int]]]:
    """The step's GEMM FLOPs (2 per multiply-add: forward, the weight gradients and
    every input gradient but the first layer's) and the GEMM shapes (M, K, N)."""
    flops = 0.0
    shapes = []
    for i, (c, o, s) in enumerate(CONVS):
        m, k, n = BATCH * s * s, c * 9, o
        passes = 2 if i == 0 else 3
        flops += passes * 2.0 * m * k * n
        shapes.append((m, k, n))
    for fin, fout in FCS:
        flops += 3 * 2.0 * BATCH * fin * fout
        shapes.append((BATCH, fin, fout))
    return flops, shapes


def gemm_throughput(shapes: list[tuple[int, int, int]], repeats: int = 5) -> tuple[float, float]:
    """Single-thread sgemm FLOP/s over the step's GEMM shapes (best of ``repeats``), in
    wall time and in CPU time."""
    rng = np.random.default_rng(0)
    total_flops, total_wall, total_cpu = 0.0, 0.0, 0.0
    for m, k, n in shapes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        times = [_round(lambda: a @ b, 1) for _ in range(repeats)]
        total_flops += 2.0 * m * k * n
        total_wall += min(wall for wall, _ in times)
        total_cpu += min(cpu for _, cpu in times)
    return total_flops / total_wall, total_flops / total_cpu


def data(seed: int = 0) -> tuple[F32, npt.NDArray[np.int32]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32)
    t = rng.integers(0, 10, size=BATCH).astype(np.int32)
    return x, t


# ----------------------------------------------------------------------- fchain
def fchain_step(with_bn: bool) -> tuple[Callable[[], None], Callable[[], None]]:
    """fchain's training step and a forward-only call, on fixed data."""
    import fchain
    import fchain.functions as F
    import fchain.links as L
    from fchain import optimizers

    rng = np.random.default_rng(1)

    def weights(*shape: int) -> F32:
        """Normal weights scaled by 1/sqrt(fan in); the same draws in every variant."""
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(np.sqrt(1.0 / np.prod(shape[1:])))

    class Net(fchain.Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.convs = fchain.ChainList(*(
                    L.Convolution2D(c, o, 3, pad=1, nobias=with_bn, initialW=weights(o, c, 3, 3))
                    for c, o, _ in CONVS))
                self.bns = fchain.ChainList(*(L.BatchNormalization(o) for _, o, _ in CONVS if with_bn))
                (fin0, fout0), (fin1, fout1) = FCS
                self.fc0 = L.Linear(fin0, fout0, initialW=weights(fout0, fin0))
                self.fc1 = L.Linear(fin1, fout1, initialW=weights(fout1, fin1))

        def forward(self, x: F32) -> fchain.Variable:
            h: fchain.Variable | F32 = x
            for i, conv in enumerate(self.convs):
                h = conv(h)
                if with_bn:
                    h = self.bns[i](h)
                h = F.relu(h)
                if i % 2 == 1:
                    h = F.max_pooling_2d(h, 2)
            return self.fc1(F.relu(self.fc0(h)))

    model = Net()
    opt = optimizers.MomentumSGD(lr=0.01, momentum=0.9).setup(model)
    x, t = data()

    def step() -> None:
        model.cleargrads()
        loss = F.softmax_cross_entropy(model(x), t)
        loss.backward()
        opt.update()

    def forward() -> None:
        F.softmax_cross_entropy(model(x), t)

    return step, forward


def peak_memory(step: Callable[[], None], forward: Callable[[], None]) -> tuple[float, float, float]:
    """Peak traced bytes of a forward pass and of a whole step (after a warm-up step),
    and the bytes fchain's scratch pool keeps between steps.  The pool is emptied
    before each measured pass, so its arrays are counted where they are allocated."""
    from fchain.core import workspace

    step()
    gc.collect()
    tracemalloc.start()
    workspace.clear()
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    forward()
    fwd = tracemalloc.get_traced_memory()[1] - base
    workspace.clear()
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    step()
    full = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    pooled = float(sum(b.nbytes for bufs in workspace._POOL.values() for b in bufs))
    return fwd, full, pooled


# ---------------------------------------------------------------------- PyTorch
def torch_step(with_bn: bool) -> Callable[[], None] | None:
    """PyTorch's step on the same data, or None where torch does not import here."""
    try:
        torch: Any = importlib.import_module("torch")
    except ImportError:
        return None
    torch.set_num_threads(1)
    nn = torch.nn
    layers: list[Any] = []
    for i, (c, o, _) in enumerate(CONVS):
        layers.append(nn.Conv2d(c, o, 3, padding=1, bias=not with_bn))
        if with_bn:
            layers.append(nn.BatchNorm2d(o))
        layers.append(nn.ReLU())
        if i % 2 == 1:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(4096, 256), nn.ReLU(), nn.Linear(256, 10)]
    model = nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x_np, t_np = data()
    x, t = torch.from_numpy(x_np), torch.from_numpy(t_np.astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), t).backward()
        opt.step()

    return step


def _round(step: Callable[[], object], steps: int) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds per step over ``steps`` steps."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def _torch_serve(steps: int, with_bn: bool) -> None:
    """``--torch-serve``: build PyTorch's step, warm it up, then time one round of
    ``steps`` steps for each line read from stdin, answering ``[wall, cpu]`` per step
    as JSON (``null`` once, where torch does not import)."""
    step = torch_step(with_bn)
    if step is None:
        print(json.dumps(None), flush=True)
        return
    step()
    step()
    print(json.dumps("ready"), flush=True)
    for _ in sys.stdin:
        print(json.dumps(_round(step, steps)), flush=True)


class _ExternalTorch:
    """PyTorch's step in another interpreter, one process kept warm for all rounds."""

    def __init__(self, python: str, steps: int, with_bn: bool) -> None:
        self.proc = subprocess.Popen([python, os.path.abspath(__file__), "--torch-serve", "--steps", str(steps)]
                                     + (["--bn"] if with_bn else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ok = self._read() == "ready"

    def _read(self) -> object:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def __call__(self) -> tuple[float, float] | None:
        """One timed round (wall, CPU seconds per step), or None where torch is missing."""
        assert self.proc.stdin is not None
        if not self.ok:
            return None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        got = self._read()
        if not isinstance(got, list):
            return None
        return float(got[0]), float(got[1])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


# ------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4, help="steps per round")
    parser.add_argument("--torch-python", default=os.environ.get("FCHAIN_TORCH_PYTHON"),
                        help="an interpreter with torch, when this one has none")
    parser.add_argument("--torch-serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bn", action="store_true", help=argparse.SUPPRESS)  # with --torch-serve
    args = parser.parse_args()
    if args.torch_serve:
        _torch_serve(args.steps, args.bn)
        return

    flops, shapes = step_flops()
    gemm, gemm_cpu = gemm_throughput(shapes)
    floor, floor_cpu = flops / gemm, flops / gemm_cpu
    print(f"CNN step, batch {BATCH}, 3x32x32, float32, 1 thread; {flops / 1e9:.2f} GFLOP per step; "
          f"sgemm at the step's shapes {gemm / 1e9:.1f} GFLOP/s -> GEMM floor {floor * 1e3:.1f} ms "
          f"(in CPU time {gemm_cpu / 1e9:.1f} GFLOP/s, {floor_cpu * 1e3:.1f} ms)")

    summary: list[str] = []
    for with_bn in (False, True):
        name = "with BatchNormalization" if with_bn else "no BatchNormalization"
        step, forward = fchain_step(with_bn)
        step()  # warm-up: lazy allocations, caches
        in_process_torch = torch_step(with_bn)
        external = None
        if in_process_torch is not None:
            in_process_torch()  # warm-up, as fchain's
        elif args.torch_python:
            external = _ExternalTorch(args.torch_python, args.steps, with_bn)
        fchain_times: list[float] = []
        fchain_cpu: list[float] = []
        torch_times: list[float] = []
        torch_cpu: list[float] = []
        for _ in range(args.rounds):
            wall, cpu = _round(step, args.steps)
            fchain_times.append(wall)
            fchain_cpu.append(cpu)
            got = _round(in_process_torch, args.steps) if in_process_torch is not None else \
                external() if external is not None else None
            if got is not None:
                torch_times.append(got[0])
                torch_cpu.append(got[1])
        if external is not None:
            external.close()
        ours = statistics.median(fchain_times)
        best = min(fchain_times)
        print(f"\n{name}")
        print(f"{'implementation':<28}{'s/step':>10}{'steps/s':>10}{'ratio':>8}")
        print(f"{'fchain':<28}{ours:>10.4f}{1 / ours:>10.2f}{'':>8}")
        print(f"{'  (rounds, s/step)':<28}{', '.join(f'{t:.3f}' for t in fchain_times)}")
        if torch_times:
            theirs = statistics.median(torch_times)
            cpu_ratio = statistics.median(fchain_cpu) / statistics.median(torch_cpu)
            print(f"{'PyTorch':<28}{theirs:>10.4f}{1 / theirs:>10.2f}{ours / theirs:>8.2f}  (fchain / PyTorch, "
                  f"medians; best rounds {best / min(torch_times):.2f}; target <= 1.5)")
            print(f"{'  (rounds, s/step)':<28}{', '.join(f'{t:.3f}' for t in torch_times)}")
            print(f"{'CPU s/step fchain, PyTorch':<28}{statistics.median(fchain_cpu):>10.4f}"
                  f"{statistics.median(torch_cpu):>10.4f}{cpu_ratio:>8.2f}  (fchain / PyTorch in CPU time, "
                  f"medians; best rounds {min(fchain_cpu) / min(torch_cpu):.2f})")
            summary.append(f"{name}: fchain / PyTorch {ours / theirs:.2f} (medians), "
                           f"{best / min(torch_times):.2f} (best rounds); CPU time {cpu_ratio:.2f} (medians), "
                           f"{min(fchain_cpu) / min(torch_cpu):.2f} (best rounds)")
        else:
            print("PyTorch: not run (no torch here; pass --torch-python PATH)")
        print(f"{'GEMM floor (FLOPs/sgemm)':<28}{floor:>10.4f}{1 / floor:>10.2f}{ours / floor:>8.2f}  "
              f"(fchain / floor: the floor is {100 * floor / ours:.0f}% of fchain's step)")
        ours_cpu = statistics.median(fchain_cpu)
        print(f"{'GEMM floor, CPU time':<28}{floor_cpu:>10.4f}{1 / floor_cpu:>10.2f}{ours_cpu / floor_cpu:>8.2f}  "
              f"(fchain / floor in CPU time: the floor is {100 * floor_cpu / ours_cpu:.0f}% of fchain's step)")
        fwd, full, pooled = peak_memory(step, forward)
        print(f"peak memory: forward {fwd / 2**20:.1f} MiB, whole step {full / 2**20:.1f} MiB "
              f"(step / forward {full / fwd:.2f}); scratch pool kept between steps {pooled / 2**20:.1f} MiB")
    if summary:
        print("\n" + "\n".join(summary))


if __name__ == "__main__":
    main()

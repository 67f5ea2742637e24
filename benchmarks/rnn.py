"""An LSTM language model's training step: fchain against PyTorch.

The model (float32, threads = 1): vocabulary 1000, embedding and hidden size 200,
one LSTM layer, truncated backprop through 35 steps, batch 20, plain SGD (lr 0.1),
the state carried from one segment to the next without its graph.  Two forms:

(a) step by step, Chainer's PTB model with one layer: at each of the 35 steps
    ``L.EmbedID``, the stateful ``L.LSTM`` (``upward(x) + lateral(h)``, then
    ``F.lstm``), the output ``L.Linear`` and a softmax cross entropy, the 35
    losses summed, the state cut from the graph after the update
    (``unchain_backward``); PyTorch's counterpart is an ``nn.LSTMCell`` loop, and a
    numpy floor (the same step written by hand, no framework) shows what numpy's
    BLAS allows the loop.
(b) the whole segment at once: one ``embed_id`` of the 35 x 20 tokens,
    ``F.n_step_lstm`` over the 35 steps, one output ``linear`` and one softmax
    cross entropy over the 700 positions (times 35, the same loss as (a));
    PyTorch's counterpart is ``nn.LSTM``.

Printed: wall-clock and CPU seconds per step (medians of interleaved rounds, and the
best round) and steps/s for each form, and fchain's ratios to PyTorch's step (wall
and CPU: the CPU time is what the other processes of a shared machine disturb
least) when PyTorch can be run
(in this interpreter if ``torch`` imports, else by ``--torch-python PATH``: that
interpreter runs this file with ``--torch-only`` between fchain's rounds).  The
targets: (a) at least PyTorch's speed (ratio <= 1), (b) at most 1.5x PyTorch's
time.  The machine is shared and noisy: repeat the whole run before quoting it.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

VOCAB, UNITS, STEPS, BATCH, LR = 1000, 200, 35, 20, 0.1
F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
FORMS = ("a: L.LSTM step by step", "b: F.n_step_lstm")


def tokens(seed: int = 0) -> I32:
    """A fixed segment of ``STEPS + 1`` x ``BATCH`` token ids (inputs and next-token targets)."""
    out: I32 = np.random.default_rng(seed).integers(0, VOCAB, size=(STEPS + 1, BATCH)).astype(np.int32)
    return out


def _timed(fn: Callable[[], object], steps: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds per step of ``steps`` calls of ``fn`` (the CPU
    time is what other processes on a shared machine disturb least), after one
    untimed call: the forms and the PyTorch process take turns, and each evicts
    the others' data from the caches (measured: fchain's first step after a
    PyTorch round took 15-50% longer than the next ones), so every timed block
    starts warm, whoever ran before it."""
    fn()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


# ----------------------------------------------------------------------- fchain
def fchain_steps() -> tuple[Callable[[], None], Callable[[], None]]:
    """fchain's training steps of forms (a) and (b), on fixed data."""
    import fchain
    import fchain.functions as F
    import fchain.links as L
    from fchain import optimizers

    rng = np.random.default_rng(1)

    def draw(*shape: int) -> F32:
        out: F32 = rng.uniform(-0.1, 0.1, shape).astype(np.float32)
        return out

    def param(*shape: int) -> fchain.Parameter:
        return fchain.Parameter(draw(*shape))

    ids = tokens()
    zeros = np.zeros((BATCH, UNITS), np.float32)

    class CellLM(fchain.Chain):
        """Chainer's PTB model with one layer, from the links (weights from ``draw``)."""

        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.embed = L.EmbedID(VOCAB, UNITS)
                self.rnn = L.LSTM(UNITS, UNITS)
                self.out = L.Linear(UNITS, VOCAB)
            upward_b = self.rnn.upward.b
            assert upward_b is not None and self.out.b is not None
            # The numpy floor's draws, in its order.
            for link_param in (self.embed.W, self.rnn.upward.W, upward_b, self.rnn.lateral.W,
                               self.out.W, self.out.b):
                link_param.array = draw(*link_param.shape)

        def forward(self) -> fchain.Variable:
            loss: fchain.Variable | None = None
            for t in range(STEPS):
                y = self.out(self.rnn(self.embed(ids[t])))
                step_loss = F.softmax_cross_entropy(y, ids[t + 1])
                loss = step_loss if loss is None else loss + step_loss
            assert loss is not None
            return loss

    class SeqLM(fchain.Chain):
        """The same model over the segment at once, with n_step_lstm's eight weights."""

        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.E = param(VOCAB, UNITS)
                for j in range(8):
                    setattr(self, f"w{j}", param(UNITS, UNITS))
                    setattr(self, f"b{j}", param(UNITS))
                self.Wo, self.bo = param(VOCAB, UNITS), param(VOCAB)

        def forward(self, h0: F32, c0: F32) -> tuple[fchain.Variable, F32, F32]:
            ws = [[getattr(self, f"w{j}") for j in range(8)]]
            bs = [[getattr(self, f"b{j}") for j in range(8)]]
            xs = F.separate(F.embed_id(ids[:STEPS], self.E))
            hy, cy, ys = F.n_step_lstm(1, 0.0, h0[None], c0[None], ws, bs, list(xs))
            y = F.linear(F.concat(ys, axis=0), self.Wo, self.bo)
            loss = F.softmax_cross_entropy(y, ids[1:].reshape(-1)) * float(STEPS)
            return loss, hy.array[0], cy.array[0]

    def cell_trainer(model: CellLM) -> Callable[[], None]:
        opt = optimizers.SGD(lr=LR).setup(model)
        model.rnn.set_state(zeros, zeros)

        def step() -> None:
            model.cleargrads()
            loss = model()
            loss.backward()
            loss.unchain_backward()
            opt.update()

        return step

    def seq_trainer(model: SeqLM) -> Callable[[], None]:
        opt = optimizers.SGD(lr=LR).setup(model)
        state = [zeros, zeros]

        def step() -> None:
            model.cleargrads()
            loss, h, c = model(state[0], state[1])
            loss.backward()
            opt.update()
            state[0], state[1] = h, c

        return step

    return cell_trainer(CellLM()), seq_trainer(SeqLM())


# ------------------------------------------------------------------- numpy floor
def numpy_floor_step() -> Callable[[], None]:
    """Form (a) written by hand in numpy, no framework: the same GEMMs (each in its
    fastest layout here), gate arithmetic on contiguous gate blocks, gradients summed
    in place.  What numpy's BLAS allows the cell loop at all."""
    rng = np.random.default_rng(1)

    def param(*shape: int) -> F32:
        out: F32 = rng.uniform(-0.1, 0.1, shape).astype(np.float32)
        return out

    E, Wx, bx, Wh, Wo, bo = (param(VOCAB, UNITS), param(4 * UNITS, UNITS), param(4 * UNITS),
                             param(4 * UNITS, UNITS), param(VOCAB, UNITS), param(VOCAB))
    params = [E, Wx, bx, Wh, Wo, bo]
    ids = tokens()
    n = UNITS
    state = [np.zeros((BATCH, n), np.float32), np.zeros((BATCH, n), np.float32)]
    rows = np.arange(BATCH)

    def step() -> None:
        h, c = state
        saved = []
        for t in range(STEPS):
            e = E[ids[t]]
            g = (Wx @ e.T).T + bx
            g += (Wh @ h.T).T
            act = np.empty_like(g)
            np.tanh(g[:, :n], out=act[:, :n])
            s = act[:, n:]
            np.multiply(g[:, n:], 0.5, out=s)
            np.tanh(s, out=s)
            s *= 0.5
            s += 0.5
            c_new = act[:, :n] * act[:, n:2 * n] + act[:, 2 * n:3 * n] * c
            co = np.tanh(c_new)
            h_new = act[:, 3 * n:] * co
            y = (Wo @ h_new.T).T + bo
            y -= y.max(axis=1, keepdims=True)
            np.exp(y, out=y)
            y /= y.sum(axis=1, keepdims=True)
            saved.append((e, h, c, act, co, h_new, y))
            h, c = h_new, c_new
        grads = [np.zeros_like(p) for p in params]
        gE, gWx, gbx, gWh, gWo, gbo = grads
        gh = np.zeros((BATCH, n), np.float32)
        gc = np.zeros((BATCH, n), np.float32)
        for t in range(STEPS - 1, -1, -1):
            e, h_prev, c_prev, act, co, h_new, y = saved[t]
            y[rows, ids[t + 1]] -= 1
            y *= 1.0 / BATCH
            gWo += y.T @ h_new
            gbo += y.sum(axis=0)
            gh += y @ Wo
            a, i, f, o = act[:, :n], act[:, n:2 * n], act[:, 2 * n:3 * n], act[:, 3 * n:]
            gcu = gh * o * (1 - co * co) + gc
            dg = np.empty_like(act)
            dg[:, :n] = gcu * i * (1 - a * a)
            dg[:, n:2 * n] = gcu * a * (i * (1 - i))
            dg[:, 2 * n:3 * n] = gcu * c_prev * (f * (1 - f))
            dg[:, 3 * n:] = gh * co * (o * (1 - o))
            gc = gcu * f
            gWx += dg.T @ e
            gWh += dg.T @ h_prev
            gbx += dg.sum(axis=0)
            np.add.at(gE, ids[t], dg @ Wx)
            gh = dg @ Wh
        for p, gp in zip(params, grads):
            p -= LR * gp
        state[0], state[1] = h, c

    return step


# ---------------------------------------------------------------------- PyTorch
def torch_steps() -> tuple[Callable[[], None], Callable[[], None]] | None:
    """PyTorch's steps of forms (a) and (b) on the same data, or None without torch."""
    try:
        torch: Any = importlib.import_module("torch")
    except ImportError:
        return None
    torch.set_num_threads(1)
    nn = torch.nn
    ids = torch.from_numpy(tokens().astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()

    def trainer(rnn: Any, cell: bool) -> Callable[[], None]:
        embed, out = nn.Embedding(VOCAB, UNITS), nn.Linear(UNITS, VOCAB)
        params = list(embed.parameters()) + list(rnn.parameters()) + list(out.parameters())
        opt = torch.optim.SGD(params, lr=LR)
        shape = (BATCH, UNITS) if cell else (1, BATCH, UNITS)
        state = [torch.zeros(shape), torch.zeros(shape)]

        def step() -> None:
            opt.zero_grad()
            h, c = state
            if cell:
                loss: Any = 0.0
                for t in range(STEPS):
                    h, c = rnn(embed(ids[t]), (h, c))
                    loss = loss + loss_fn(out(h), ids[t + 1])
            else:
                ys, (h, c) = rnn(embed(ids[:STEPS]), (h, c))
                loss = loss_fn(out(ys.reshape(-1, UNITS)), ids[1:].reshape(-1)) * STEPS
            loss.backward()
            opt.step()
            state[0], state[1] = h.detach(), c.detach()

        return step

    return trainer(nn.LSTMCell(UNITS, UNITS), True), trainer(nn.LSTM(UNITS, UNITS), False)


def _torch_only(rounds: int, steps: int) -> None:
    """``--torch-only``: time PyTorch's two forms and print their per-round times as JSON."""
    both = torch_steps()
    if both is None:
        print(json.dumps(None))
        return
    times: list[list[tuple[float, float]]] = [[], []]
    for step in both:
        step()
    for _ in range(rounds):
        for i, step in enumerate(both):
            times[i].append(_timed(step, steps))
    print(json.dumps(times))


def _external_torch(python: str, rounds: int, steps: int) -> list[list[tuple[float, float]]] | None:
    out = subprocess.run([python, os.path.abspath(__file__), "--torch-only", "--rounds", str(rounds),
                          "--steps", str(steps)], capture_output=True, text=True, check=True)
    result: list[list[list[float]]] | None = json.loads(out.stdout.strip().splitlines()[-1])
    return None if result is None else [[(w, c) for w, c in form] for form in result]


# ------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5, help="steps per round")
    parser.add_argument("--torch-python", default=os.environ.get("FCHAIN_TORCH_PYTHON"),
                        help="an interpreter with torch, when this one has none")
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only:
        _torch_only(args.rounds, args.steps)
        return

    ours_steps = fchain_steps()
    floor_step = numpy_floor_step()
    in_process = torch_steps()
    for step in ours_steps + (floor_step,) + (in_process or ()):
        step()  # warm-up: lazy allocations, caches
    ours: list[list[tuple[float, float]]] = [[], []]
    theirs: list[list[tuple[float, float]]] = [[], []]
    floor: list[tuple[float, float]] = []
    for _ in range(args.rounds):
        for i, step in enumerate(ours_steps):
            ours[i].append(_timed(step, args.steps))
        floor.append(_timed(floor_step, args.steps))
        if in_process is not None:
            for i, step in enumerate(in_process):
                theirs[i].append(_timed(step, args.steps))
        elif args.torch_python:
            got = _external_torch(args.torch_python, 1, args.steps)
            if got:
                for i in range(2):
                    theirs[i] += got[i]
    print(f"LSTM language model step: vocabulary {VOCAB}, {UNITS} units, BPTT {STEPS}, batch {BATCH}, "
          f"float32, 1 thread, SGD; {args.rounds} interleaved rounds of {args.steps} steps")
    print(f"{'form':<26}{'':<9}{'wall s/step':>12}{'best':>8}{'steps/s':>9}{'CPU s/step':>12}{'best':>8}")
    for i, form in enumerate(FORMS):
        rows = [("fchain", ours[i])] + ([("PyTorch", theirs[i])] if theirs[i] else [])
        rows += [("numpy", floor)] if i == 0 else []
        for k, (name, times) in enumerate(rows):
            wall, cpu = [t[0] for t in times], [t[1] for t in times]
            print(f"{form if k == 0 else '':<26}{name:<9}{statistics.median(wall):>12.4f}{min(wall):>8.4f}"
                  f"{1 / statistics.median(wall):>9.2f}{statistics.median(cpu):>12.4f}{min(cpu):>8.4f}")
        if theirs[i]:
            ratio = [statistics.median([t[j] for t in ours[i]]) / statistics.median([t[j] for t in theirs[i]])
                     for j in (0, 1)]
            best = [min(t[j] for t in ours[i]) / min(t[j] for t in theirs[i]) for j in (0, 1)]
            target = "<= 1.0" if i == 0 else "<= 1.5"
            paired = [o[1] / t[1] for o, t in zip(ours[i], theirs[i])]
            print(f"{'':<26}fchain / PyTorch: wall {ratio[0]:.2f} (best rounds {best[0]:.2f}), "
                  f"CPU {ratio[1]:.2f} (best rounds {best[1]:.2f}); target {target}")
            print(f"{'':<26}  CPU, round by round (each fchain round beside the PyTorch round after it): "
                  f"median {statistics.median(paired):.2f}, {min(paired):.2f}-{max(paired):.2f}")
            if i == 0:
                cpu = [statistics.median([t[1] for t in times]) for times in (ours[0], theirs[0], floor)]
                print(f"{'':<26}numpy floor / PyTorch, CPU: {cpu[2] / cpu[1]:.2f}; "
                      f"fchain / numpy floor, CPU: {cpu[0] / cpu[2]:.2f}")
    if not theirs[0]:
        print("PyTorch: not run (no torch here; pass --torch-python PATH)")


if __name__ == "__main__":
    main()

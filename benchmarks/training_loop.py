"""Training-loop overhead of fchain against a hand-written numpy MLP, in one run.

The tutorial's model: a 784-100-100-10 MLP with relu, softmax cross entropy (and
accuracy, as ``L.Classifier`` computes it), plain SGD (lr 0.01), batches of 100,
float32.  Times per training iteration, medians over interleaved rounds:

* numpy floor: forward, backward and the SGD update written by hand with numpy
  (no graph, no Python objects per op): the cost of the arithmetic itself;
* (a) fchain bare loop: ``model.cleargrads(); loss = model(x, t); loss.backward();
  optimizer.update()`` on the same pre-sliced batches (target <= 1.10x the floor);
* the least any pure-Python define-by-run can do on those batches
  (``minimal_define_by_run.py``: one object per op, no checks, no configuration):
  the part of (a)'s ratio that comes from recording a graph in Python at all;
* (b) fchain Trainer: ``trainer.run()`` with a shuffling ``SerialIterator`` and
  ``concat_examples``, Evaluator (every epoch), LogReport, PrintReport and
  ProgressBar (both writing to a null stream), total time divided by the number of
  training iterations (target <= 1.25x the floor).  The evaluation pass is real
  work the floor does not do; the table also shows a numpy floor that does the same
  batch gathering and per-epoch evaluation, to separate it from overhead, and the
  cost of fetching one batch (``concat_examples(next(iterator))`` against numpy's
  ``x[idx], t[idx]``), also as a fraction of the floor's iteration.

``--profile`` runs cProfile over the bare loop and prints the top costs.

Run: ``python benchmarks/training_loop.py`` (threads pinned to 1 for numpy's BLAS;
``--train-size``/``--test-size`` default to MNIST's 60000/10000 so the per-epoch
costs weigh what they weigh in the real run).
"""

from __future__ import annotations

import os
import sys

# Run as a script (``python benchmarks/training_loop.py``): the repository root on
# the path, for the sibling reference module.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

import fchain  # noqa: E402
import fchain.functions as F  # noqa: E402
import fchain.links as L  # noqa: E402
from fchain import datasets, iterators, optimizers, training  # noqa: E402
from fchain.dataset import concat_examples  # noqa: E402
from fchain.training import extensions  # noqa: E402

from benchmarks.minimal_define_by_run import MinimalMLP  # noqa: E402

N_IN, N_UNITS, N_OUT, BATCH = 784, 100, 10, 100
LR = 0.01

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]


def make_data(n: int, seed: int) -> tuple[F32, I32]:
    """Random 784-d inputs in [0, 1) and labels 0..9 (the shapes and dtypes of MNIST)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, N_IN), dtype=np.float32)
    t = rng.integers(0, N_OUT, size=n).astype(np.int32)
    return x, t


# ----------------------------------------------------------------------------- numpy floor


class NumpyMLP:
    """The tutorial MLP with its gradient and SGD update written out by hand."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        sizes = [(N_UNITS, N_IN), (N_UNITS, N_UNITS), (N_OUT, N_UNITS)]
        # LeCun normal, as L.Linear's default initializer; zero biases.
        self.W = [(rng.standard_normal(s) / np.sqrt(s[1])).astype(np.float32) for s in sizes]
        self.b = [np.zeros(s[0], dtype=np.float32) for s in sizes]

    def _forward(self, x: F32) -> tuple[F32, F32, F32, F32, F32]:
        W1, W2, W3 = self.W
        b1, b2, b3 = self.b
        h1 = x @ W1.T
        h1 += b1
        a1 = np.maximum(h1, np.float32(0))
        h2 = a1 @ W2.T
        h2 += b2
        a2 = np.maximum(h2, np.float32(0))
        y = a2 @ W3.T
        y += b3
        return h1, a1, h2, a2, y

    @staticmethod
    def _log_softmax(y: F32) -> F32:
        z: F32 = y - y.max(axis=1, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        return z

    def step(self, x: F32, t: I32) -> tuple[float, float]:
        """One SGD step; returns (loss, accuracy) as the Classifier reports them."""
        loss, accuracy, grads = self.gradients(x, t)
        self.sgd(grads)
        return loss, accuracy

    def gradients(self, x: F32, t: I32) -> tuple[float, float, list[F32]]:
        """Loss, accuracy and the gradients of ``W + b`` (in that order), unapplied."""
        n = x.shape[0]
        rows = np.arange(n)
        h1, a1, h2, a2, y = self._forward(x)
        logp = self._log_softmax(y)
        loss = -float(logp[rows, t].mean())
        accuracy = float((y.argmax(axis=1) == t).mean())
        gy = np.exp(logp)
        gy[rows, t] -= np.float32(1)
        gy *= np.float32(1.0 / n)
        W1, W2, W3 = self.W
        gW3 = gy.T @ a2
        gb3 = gy.sum(axis=0)
        ga2 = gy @ W3
        ga2 *= h2 > 0
        gW2 = ga2.T @ a1
        gb2 = ga2.sum(axis=0)
        ga1 = ga2 @ W2
        ga1 *= h1 > 0
        gW1 = ga1.T @ x
        gb1 = ga1.sum(axis=0)
        return loss, accuracy, [gW1, gW2, gW3, gb1, gb2, gb3]

    def sgd(self, grads: Sequence[F32]) -> None:
        """The SGD update from ``gradients``' list (scaled in place: it is spent)."""
        lr = np.float32(LR)
        for p, g in zip(self.W + self.b, grads):
            g *= lr
            p -= g

    def evaluate(self, x: F32, t: I32) -> tuple[float, float]:
        """Forward only: (loss, accuracy) of one batch."""
        y = self._forward(x)[-1]
        logp = self._log_softmax(y)
        loss = -float(logp[np.arange(x.shape[0]), t].mean())
        return loss, float((y.argmax(axis=1) == t).mean())


def numpy_epoch(model: NumpyMLP, x: F32, t: I32, x_test: F32, t_test: I32,
                rng: np.random.Generator) -> int:
    """One epoch as the Trainer runs it: shuffled batches gathered by index, then an
    evaluation pass over the test set.  Returns the number of training iterations."""
    order = rng.permutation(len(x))
    iterations = 0
    for i in range(0, len(x), BATCH):
        idx = order[i:i + BATCH]
        model.step(x[idx], t[idx])
        iterations += 1
    losses = [model.evaluate(x_test[i:i + BATCH], t_test[i:i + BATCH]) for i in range(0, len(x_test), BATCH)]
    del losses
    return iterations


# ----------------------------------------------------------------------------- fchain


class MLP(fchain.Chain):
    """The tutorial's MLP."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x: fchain.Variable | npt.NDArray[np.float32]) -> fchain.Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def fchain_model() -> tuple[L.Classifier[MLP], optimizers.SGD]:
    model = L.Classifier(MLP(N_UNITS, N_OUT))
    optimizer = optimizers.SGD(lr=LR)
    optimizer.setup(model)
    return model, optimizer


def fchain_bare_steps(model: L.Classifier[MLP], optimizer: optimizers.SGD,
                      batches: Sequence[tuple[F32, I32]]) -> None:
    for x, t in batches:
        model.cleargrads()
        loss = model(x, t)
        loss.backward()
        optimizer.update()


def numpy_steps(model: NumpyMLP, batches: Sequence[tuple[F32, I32]]) -> None:
    for x, t in batches:
        model.step(x, t)


def fchain_trainer_run(x: F32, t: I32, x_test: F32, t_test: I32, epochs: int, out: str) -> int:
    """A full tutorial Trainer run; returns the number of training iterations."""
    null = io.StringIO()
    train = datasets.TupleDataset(x, t)
    test = datasets.TupleDataset(x_test, t_test)
    train_iter = iterators.SerialIterator(train, batch_size=BATCH, shuffle=True)
    test_iter = iterators.SerialIterator(test, batch_size=BATCH, repeat=False, shuffle=False)
    model, optimizer = fchain_model()
    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (epochs, "epoch"), out=out)
    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ["epoch", "main/loss", "validation/main/loss", "main/accuracy", "validation/main/accuracy",
         "elapsed_time"], out=null))
    trainer.extend(extensions.ProgressBar(out=null))
    trainer.run()
    return updater.iteration


# ----------------------------------------------------------------------------- timing


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def minimal_steps(model: MinimalMLP, batches: Sequence[tuple[F32, I32]]) -> None:
    for x, t in batches:
        model.step(x, t)


def check_minimal_reference() -> None:
    """The reference toy trains as the floor does (else its row would mean nothing)."""
    x, t = make_data(3 * BATCH, seed=6)
    floor = NumpyMLP()
    toy = MinimalMLP(floor.W, floor.b, LR)
    for i in range(0, len(x), BATCH):
        expected = floor.step(x[i:i + BATCH], t[i:i + BATCH])[0]
        got = toy.step(x[i:i + BATCH], t[i:i + BATCH])
        if not np.isclose(got, expected, rtol=1e-5):
            raise AssertionError(f"minimal define-by-run: loss {got} where the floor has {expected}")


def bench_bare(n_batches: int, rounds: int) -> tuple[float, float, float]:
    """Seconds per iteration (numpy floor, fchain bare loop, the minimal
    define-by-run reference), medians of interleaved rounds."""
    x, t = make_data(n_batches * BATCH, seed=1)
    batches = [(x[i:i + BATCH], t[i:i + BATCH]) for i in range(0, len(x), BATCH)]
    np_model = NumpyMLP()
    model, optimizer = fchain_model()
    toy = MinimalMLP(np_model.W, np_model.b, LR)
    numpy_steps(np_model, batches[:5])  # warm up (and fchain's lazy W init)
    fchain_bare_steps(model, optimizer, batches[:5])
    minimal_steps(toy, batches[:5])
    np_times, fc_times, toy_times = [], [], []
    for _ in range(rounds):
        np_times.append(_timed(lambda: numpy_steps(np_model, batches)) / n_batches)
        fc_times.append(_timed(lambda: fchain_bare_steps(model, optimizer, batches)) / n_batches)
        toy_times.append(_timed(lambda: minimal_steps(toy, batches)) / n_batches)
    return statistics.median(np_times), statistics.median(fc_times), statistics.median(toy_times)


def bench_trainer(train_size: int, test_size: int, epochs: int, rounds: int) -> tuple[float, float]:
    """Seconds per training iteration (numpy floor with the same batching and
    evaluation, fchain Trainer), medians of interleaved rounds."""
    x, t = make_data(train_size, seed=2)
    x_test, t_test = make_data(test_size, seed=3)
    np_times, fc_times = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(rounds):
            np_model = NumpyMLP()
            rng = np.random.default_rng(0)
            gc.collect()
            start = time.perf_counter()
            iterations = sum(numpy_epoch(np_model, x, t, x_test, t_test, rng) for _ in range(epochs))
            np_times.append((time.perf_counter() - start) / iterations)
            gc.collect()
            start = time.perf_counter()
            iterations = fchain_trainer_run(x, t, x_test, t_test, epochs, out)
            fc_times.append((time.perf_counter() - start) / iterations)
    return statistics.median(np_times), statistics.median(fc_times)


def bench_data(train_size: int, rounds: int, n_batches: int = 200) -> tuple[float, float]:
    """Seconds per batch to fetch and convert one shuffled batch: (numpy gather
    ``x[idx], t[idx]``, fchain ``concat_examples(next(SerialIterator))``)."""
    x, t = make_data(train_size, seed=5)
    order = np.random.default_rng(0).permutation(train_size)
    iterator = iterators.SerialIterator(datasets.TupleDataset(x, t), BATCH, shuffle=True, seed=0)

    def numpy_gather() -> None:
        for i in range(n_batches):
            idx = order[(i * BATCH) % train_size:][:BATCH]
            x[idx], t[idx]

    def fchain_fetch() -> None:
        for _ in range(n_batches):
            concat_examples(next(iterator))

    np_times, fc_times = [], []
    for _ in range(rounds):
        np_times.append(_timed(numpy_gather) / n_batches)
        fc_times.append(_timed(fchain_fetch) / n_batches)
    return statistics.median(np_times), statistics.median(fc_times)


def profile_bare(n_batches: int, top: int) -> str:
    x, t = make_data(n_batches * BATCH, seed=4)
    batches = [(x[i:i + BATCH], t[i:i + BATCH]) for i in range(0, len(x), BATCH)]
    model, optimizer = fchain_model()
    fchain_bare_steps(model, optimizer, batches[:2])
    profiler = cProfile.Profile()
    profiler.enable()
    fchain_bare_steps(model, optimizer, batches)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--batches", type=int, default=200, help="iterations per bare-loop round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=1, help="epochs per Trainer round")
    parser.add_argument("--trainer-rounds", type=int, default=3)
    parser.add_argument("--skip-trainer", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the bare loop")
    args = parser.parse_args(argv)

    check_minimal_reference()
    floor, bare, minimal = bench_bare(args.batches, args.rounds)
    rows = [
        ("numpy floor (hand-written fwd+bwd+SGD)", floor, floor, ""),
        ("(a) fchain bare loop", bare, floor, "<= 1.10"),
        ("    minimal define-by-run (no checks)", minimal, floor, ""),
    ]
    if not args.skip_trainer:
        floor_epoch, trainer = bench_trainer(args.train_size, args.test_size, args.epochs,
                                             args.trainer_rounds)
        rows.append(("numpy floor + shuffle/gather + eval pass", floor_epoch, floor, ""))
        rows.append(("(b) fchain Trainer + 4 extensions", trainer, floor, "<= 1.25"))
        rows.append(("    same, vs the floor with eval pass", trainer, floor_epoch, ""))
        gather, fetch = bench_data(args.train_size, args.rounds)
        rows.append(("    in it: SerialIterator+concat_examples", fetch, floor, ""))
        rows.append(("    numpy gather x[idx], t[idx]", gather, floor, ""))
    print(f"MLP {N_IN}-{N_UNITS}-{N_UNITS}-{N_OUT}, batch {BATCH}, SGD, float32, 1 thread")
    print(f"{'loop':<42}{'ms/iter':>9}{'ratio':>8}  target")
    for name, seconds, base, target in rows:
        print(f"{name:<42}{seconds * 1e3:>9.3f}{seconds / base:>8.3f}  {target}")
    if args.profile:
        print()
        print(profile_bare(args.batches, 25))


if __name__ == "__main__":
    main()

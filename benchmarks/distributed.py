"""Data-parallel scaling of the tutorial MLP: two MPI ranks against one process.

The tutorial's model (784-100-100-10 MLP, ``L.Classifier``, SGD, batches of 100 per
process, float32) trained by a bare loop of ``optimizer.update(model, x, t)``:

* one process: the plain optimizer;
* ``mpirun -np 2``: each rank runs the same loop on its own batches of 100 with a
  multi-node optimizer (``create_communicator('naive')``), so every step also
  averages the 89,610 gradients over the ranks (one packed all-reduce of 350 KiB).

Every process runs one thread (``OPENBLAS_NUM_THREADS=1``); the ranks are bound to
one core each.  The table gives examples per second (all ranks together), the
ratio to one process (the target is at least 1.8), and per step: the time spent in
``multi_node_mean_grad`` (packing, the all-reduce, and waiting for the other rank)
and the same call alone (timed right after a barrier: the communication without
the wait for the other rank).  ``CPU ms/step`` is the CPU time a process spends per
step (the slower rank's; polling while it waits included).  ``free-core est`` is
the ratio two ranks would reach with a free core each: ``2 x`` one process's CPU
time per step over a rank's CPU time outside ``multi_node_mean_grad`` plus the
exchange timed alone (on a loaded machine the wall-clock ratio measures the other
users' work more than fchain's; the estimate is not a measurement of throughput,
and is not given for double buffering, whose sums are not timed).  ``sm+db`` runs the ``sm`` ranks with
``double_buffering=True`` (each update uses the previous step's mean gradients
while this step's are summed).  Rounds alternate one process and two ranks, so a change in the machine's
load hits both; the load average is printed, because on a shared machine the other
users' work is in every number.

Transports: ``tcp`` (TCP over the loopback interface) and ``sm`` (Open MPI's shared
memory, ``vader``: no network at all).  Every round also runs ``2 alone``: two
ranks bound to a core each that train without exchanging anything (started
together after a barrier, the slower one timed).  That is the most two processes
get from the machine at all (two virtual CPUs of a shared host are not two free
cores), and each transport's ratio is also given as a fraction of it.  And every round
runs the floor: the hand-written numpy step of ``training_loop.NumpyMLP``, in one
process and in two ranks that average its gradients with one ``MPI_Allreduce`` of a
packed buffer per step (mpi4py, no fchain): the ratio no framework can beat here,
whatever its own overhead, because the exchange itself costs that much against a
step this small.

Run: ``python benchmarks/distributed.py [--rounds 3] [--steps 2000] [--transports sm,tcp,sm+db]``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

import fchain  # noqa: E402
import fchain.functions as F  # noqa: E402
import fchain.links as L  # noqa: E402
from benchmarks.training_loop import NumpyMLP  # noqa: E402
from fchain import optimizers  # noqa: E402

BATCH, N_IN, N_OUT, UNITS = 100, 784, 10, 100
N_BATCHES = 50  # distinct batches each process cycles through
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NO_EXCHANGE = "none"
"""The variant of two ranks that exchange nothing: the machine's own ceiling."""

NUMPY_FLOOR = "numpy"
"""The variant of two ranks running the hand-written numpy step with one raw
``MPI_Allreduce`` per step: the floor of any framework on this machine."""

TRANSPORTS = {
    "tcp": ["--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"],
    "sm": ["--mca", "btl", "self,vader"],
}


class MLP(fchain.Chain):
    """The tutorial's network."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(N_IN, UNITS)
            self.l2 = L.Linear(UNITS, UNITS)
            self.l3 = L.Linear(UNITS, N_OUT)

    def forward(self, x: fchain.Variable | npt.NDArray[np.float32]) -> fchain.Variable:
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


def _data(seed: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
    rng = np.random.default_rng(seed)
    x = rng.random((N_BATCHES * BATCH, N_IN), dtype=np.float32)
    t = rng.integers(0, N_OUT, N_BATCHES * BATCH).astype(np.int32)
    return x, t


def _loop(optimizer: Any, model: Any, x: npt.NDArray[np.float32], t: npt.NDArray[np.int32],
          steps: int) -> None:
    for i in range(steps):
        j = (i % N_BATCHES) * BATCH
        optimizer.update(model, x[j:j + BATCH], t[j:j + BATCH])


def single(steps: int) -> dict[str, float]:
    """One process: seconds for ``steps`` steps (after a warm-up)."""
    fchain.initializers.set_random_seed(0)
    model = L.Classifier(MLP())
    optimizer = optimizers.SGD(lr=0.01).setup(model)
    x, t = _data(0)
    _loop(optimizer, model, x, t, 50)
    start, cpu = time.perf_counter(), time.process_time()
    _loop(optimizer, model, x, t, steps)
    return {"seconds": time.perf_counter() - start, "cpu": (time.process_time() - cpu) / steps}


def independent_worker(steps: int) -> None:
    """One of two ranks that train without exchanging anything (the plain loop,
    started together after a barrier): what two one-thread processes get from this
    machine at all.  Rank 0 prints the slower rank's seconds as JSON."""
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    fchain.initializers.set_random_seed(0)
    model = L.Classifier(MLP())
    optimizer = optimizers.SGD(lr=0.01).setup(model)
    x, t = _data(world.Get_rank())
    _time_ranks(world, lambda n: _loop(optimizer, model, x, t, n), steps)


def _time_ranks(world: Any, run: Callable[[int], None], steps: int) -> None:
    """Warm up with ``run(50)``, start the ranks together, time ``run(steps)`` and
    have rank 0 print the slower rank's seconds and CPU time as JSON (no exchange
    is timed apart: those fields are nan)."""
    run(50)
    world.Barrier()
    start, cpu = time.perf_counter(), time.process_time()
    run(steps)
    mine = {"seconds": time.perf_counter() - start, "cpu": (time.process_time() - cpu) / steps}
    results = world.gather(mine, root=0)
    if results is not None:
        print("RESULT " + json.dumps({
            "seconds": max(r["seconds"] for r in results), "mean_grad": math.nan,
            "allreduce": math.nan, "cpu": max(r["cpu"] for r in results),
            "compute_cpu": math.nan}), flush=True)


Grads = list[npt.NDArray[np.float32]]


def _numpy_loop(model: NumpyMLP, x: npt.NDArray[np.float32], t: npt.NDArray[np.int32], steps: int,
                exchange: Callable[[Grads], Grads] | None = None) -> None:
    """The hand-written numpy step; with ``exchange`` (a function of the gradient
    list returning the list to apply), the gradients go through it first."""
    for i in range(steps):
        j = (i % N_BATCHES) * BATCH
        _, _, grads = model.gradients(x[j:j + BATCH], t[j:j + BATCH])
        model.sgd(grads if exchange is None else exchange(grads))


def numpy_single(steps: int) -> dict[str, float]:
    """``single`` for the hand-written numpy MLP (``training_loop.NumpyMLP``)."""
    model = NumpyMLP(0)
    x, t = _data(0)
    _numpy_loop(model, x, t, 50)
    start, cpu = time.perf_counter(), time.process_time()
    _numpy_loop(model, x, t, steps)
    return {"seconds": time.perf_counter() - start, "cpu": (time.process_time() - cpu) / steps}


def numpy_worker(steps: int) -> None:
    """One of two ranks of the floor: the hand-written numpy step, its gradients
    averaged by one ``MPI_Allreduce`` of a packed buffer per step (mpi4py, no
    fchain): what any framework's data parallelism gets from this machine for
    this model.  Rank 0 prints the slower rank's seconds as JSON."""
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    model = NumpyMLP(0)
    x, t = _data(world.Get_rank())
    arrays = model.W + model.b
    buffer = np.empty(sum(a.size for a in arrays), dtype=np.float32)
    views, offset = [], 0
    for a in arrays:
        views.append(buffer[offset:offset + a.size].reshape(a.shape))
        offset += a.size
    half = np.float32(1.0 / world.Get_size())

    def exchange(grads: Grads) -> Grads:
        for view, g in zip(views, grads, strict=True):
            np.multiply(g, half, out=view)
        world.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
        return views

    _time_ranks(world, lambda n: _numpy_loop(model, x, t, n, exchange), steps)


def worker(steps: int, double_buffering: bool) -> None:
    """One rank of the two-rank run; rank 0 prints the measurements as JSON."""
    from fchain.distributed import create_communicator, create_multi_node_optimizer

    comm = create_communicator("naive", timeout=300)
    fchain.initializers.set_random_seed(0)
    model = L.Classifier(MLP())
    optimizer = create_multi_node_optimizer(optimizers.SGD(lr=0.01), comm,
                                            double_buffering=double_buffering).setup(model)
    x, t = _data(comm.rank)
    spent = [0.0, 0.0]  # wall-clock and CPU seconds in multi_node_mean_grad
    mean_grad = comm.multi_node_mean_grad

    def timed(link: fchain.Link, zero_fill: bool = False) -> None:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        mean_grad(link, zero_fill)
        spent[0] += time.perf_counter() - begin
        spent[1] += time.process_time() - begin_cpu

    setattr(comm, "multi_node_mean_grad", timed)
    _loop(optimizer, model, x, t, 50)
    comm.barrier()
    spent[0] = spent[1] = 0.0
    start, cpu = time.perf_counter(), time.process_time()
    _loop(optimizer, model, x, t, steps)
    seconds = time.perf_counter() - start
    cpu_per_step = (time.process_time() - cpu) / steps
    # double buffering starts its sums elsewhere: nothing is timed in mean_grad
    in_mean_grad = math.nan if double_buffering else spent[0] / steps
    compute_cpu = math.nan if double_buffering else cpu_per_step - spent[1] / steps

    # The mean of the gradients alone, right after a barrier: packing, the sum
    # over the ranks and unpacking, without waiting for the other rank's step.
    alone = []
    for _ in range(200):
        comm.barrier()
        begin = time.perf_counter()
        mean_grad(model, False)
        alone.append(time.perf_counter() - begin)
    results = comm.gather_obj({"seconds": seconds, "mean_grad": in_mean_grad,
                               "allreduce": statistics.median(alone), "cpu": cpu_per_step,
                               "compute_cpu": compute_cpu})
    if results is not None:
        print("RESULT " + json.dumps({
            "seconds": max(r["seconds"] for r in results),
            "mean_grad": statistics.mean(r["mean_grad"] for r in results),
            "allreduce": statistics.mean(r["allreduce"] for r in results),
            "cpu": max(r["cpu"] for r in results),
            "compute_cpu": max(r["compute_cpu"] for r in results)}), flush=True)


def two_ranks(steps: int, variant: str, timeout: float) -> dict[str, float]:
    """Launch ``worker`` on two ranks (killed after ``timeout`` seconds); ``variant``
    is a transport, with ``+db`` for the double-buffering optimizer."""
    if variant in (NO_EXCHANGE, NUMPY_FLOOR):
        transport, extra = "sm", variant
    else:
        transport, _, extra = variant.partition("+")
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise SystemExit("mpirun not found: install Open MPI (apt-get install openmpi-bin "
                         "libopenmpi-dev) and mpi4py (pip install 'fchain[mpi]')")
    command = [mpirun, "-np", "2", "--bind-to", "core", *TRANSPORTS[transport],
               "--mca", "oob_tcp_if_include", "lo"]
    if os.geteuid() == 0:
        command.insert(1, "--allow-run-as-root")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "src"), ROOT,
                                         *filter(None, [os.environ.get("PYTHONPATH")])])
    for name in ("PYTHONPATH", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        command += ["-x", name]
    command += [sys.executable, os.path.abspath(__file__), "--worker", "--steps", str(steps)]
    if extra == "db":
        command.append("--double-buffering")
    elif extra == NO_EXCHANGE:
        command.append("--no-exchange")
    elif extra == NUMPY_FLOOR:
        command.append("--numpy-floor")
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, float] = json.loads(line[len("RESULT "):])
            return result
    raise RuntimeError(f"the two-rank run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--transports", default="sm,tcp,sm+db",
                        help="transports of the two-rank runs; '+db': with double_buffering=True")
    parser.add_argument("--double-buffering", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=600.0, help="per two-rank launch")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-exchange", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--numpy-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.no_exchange:
            independent_worker(args.steps)
        elif args.numpy_floor:
            numpy_worker(args.steps)
        else:
            worker(args.steps, args.double_buffering)
        return
    transports = [NO_EXCHANGE] + [name for name in args.transports.split(",") if name != NO_EXCHANGE]
    print(f"tutorial MLP, batch {BATCH} per process, {args.steps} steps, one thread per process")
    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} CPUs)")
    header = (f"{'round':>5}  {'run':<14} {'examples/s':>11} {'ratio':>6} "
              f"{'mean_grad ms/step':>18} {'alone ms':>9} {'CPU ms/step':>11} {'free-core est':>13}  load")
    print(header)
    ratios: dict[str, list[float]] = {name: [] for name in transports}
    cpu_ratios: dict[str, list[float]] = {name: [] for name in transports}
    floor_ratios: list[float] = []
    for round_ in range(1, args.rounds + 1):
        alone = single(args.steps)
        one = BATCH * args.steps / alone["seconds"]
        print(f"{round_:>5}  {'1 process':<14} {one:>11.0f} {1.0:>6.2f} {'':>18} {'':>9} "
              f"{alone['cpu'] * 1e3:>11.3f} {1.0:>13.2f}  {os.getloadavg()[0]:.2f}", flush=True)
        for name in transports:
            result = two_ranks(args.steps, name, args.timeout)
            both = 2 * BATCH * args.steps / result["seconds"]
            ratios[name].append(both / one)
            # one free core per rank, no waiting: a step costs the rank's compute
            # (its CPU time outside mean_grad) plus the exchange timed alone
            estimate = 2 * alone["cpu"] / (result["compute_cpu"] + result["allreduce"])
            cpu_ratios[name].append(estimate)
            label = "2 alone" if name == NO_EXCHANGE else "2 ranks, " + name
            print(f"{round_:>5}  {label:<14} {both:>11.0f} {both / one:>6.2f} "
                  f"{result['mean_grad'] * 1e3:>18.3f} {result['allreduce'] * 1e3:>9.3f} "
                  f"{result['cpu'] * 1e3:>11.3f} {estimate:>13.2f}  "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
        numpy_one_run = numpy_single(args.steps)
        numpy_one = BATCH * args.steps / numpy_one_run["seconds"]
        numpy_two_run = two_ranks(args.steps, NUMPY_FLOOR, args.timeout)
        numpy_two = 2 * BATCH * args.steps / numpy_two_run["seconds"]
        floor_ratios.append(numpy_two / numpy_one)
        print(f"{round_:>5}  {'numpy, 1 proc':<14} {numpy_one:>11.0f} {1.0:>6.2f} {'':>18} {'':>9} "
              f"{numpy_one_run['cpu'] * 1e3:>11.3f} {'':>13}  {os.getloadavg()[0]:.2f}", flush=True)
        print(f"{round_:>5}  {'numpy, 2 ranks':<14} {numpy_two:>11.0f} {numpy_two / numpy_one:>6.2f} "
              f"{'':>18} {'':>9} {numpy_two_run['cpu'] * 1e3:>11.3f} {'':>13}  "
              f"{os.getloadavg()[0]:.2f}", flush=True)
    ceiling = ratios[NO_EXCHANGE]
    print(f"2 processes exchanging nothing / 1 process (this machine's ceiling): median "
          f"{statistics.median(ceiling):.2f}, best {max(ceiling):.2f}")
    for name in transports[1:]:
        values = ratios[name]
        of_ceiling = [v / c for v, c in zip(values, ceiling)]
        print(f"2 ranks ({name}) / 1 process: median {statistics.median(values):.2f}, "
              f"best {max(values):.2f} over {len(values)} rounds (target >= 1.8); of the "
              f"ceiling: median {statistics.median(of_ceiling):.2f}; free-core "
              f"estimate median {statistics.median(cpu_ratios[name]):.2f}")
    print(f"hand-written numpy, 2 ranks with one MPI_Allreduce per step / 1 process (the floor: "
          f"what any framework gets here): median {statistics.median(floor_ratios):.2f}, best "
          f"{max(floor_ratios):.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""MPI job: data-parallel training with each rank's state saved every 3 iterations
(``multi_node_snapshot`` with one replica set per rank, or the checkpointer), which
``--crash-at`` interrupts by raising on rank 1; run again, it resumes from the newest
iteration every rank saved.  Writes each rank's final parameters and prints the
first iteration it ran."""

from __future__ import annotations

import argparse

import fchain.links as L
from fchain import datasets, initializers, iterators, optimizers, training
from fchain.training import extensions

import fchain.distributed as fchainmn
from tests.distributed._common import MLP, make_data, params_of, save

BATCH, N = 10, 120  # 6 iterations per epoch on 2 ranks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--crash-at", type=int, default=0)
    parser.add_argument("--saver", choices=["snapshot", "checkpointer"], default="snapshot")
    args = parser.parse_args()
    comm = fchainmn.create_communicator("naive", timeout=60)
    initializers.set_random_seed(21 + comm.rank)
    model = L.Classifier(MLP(16, 10))
    optimizer = fchainmn.create_multi_node_optimizer(optimizers.MomentumSGD(lr=0.05), comm)
    optimizer.setup(model)
    x, t = make_data(N, seed=9)
    train = fchainmn.scatter_dataset(datasets.TupleDataset(x, t) if comm.rank == 0 else None, comm)
    it = iterators.SerialIterator(train, BATCH, shuffle=True, seed=100 + comm.rank)
    trainer = training.Trainer(training.StandardUpdater(it, optimizer), (3, "epoch"), out=args.out)

    seen: list[int] = []

    @training.make_extension(trigger=(1, "iteration"))
    def watch(trainer: training.Trainer) -> None:
        if not seen:
            print(f"rank {comm.rank} first iteration {trainer.updater.iteration}", flush=True)
        seen.append(trainer.updater.iteration)
        if args.crash_at and comm.rank == 1 and trainer.updater.iteration == args.crash_at:
            raise RuntimeError("injected crash")

    trainer.extend(watch)
    if args.saver == "snapshot":
        snapshot = extensions.snapshot(filename="snap_{.updater.iteration}", autoload=True)
        trainer.extend(fchainmn.multi_node_snapshot(comm, snapshot, [[r] for r in range(comm.size)]),
                       trigger=(3, "iteration"))
    else:
        checkpointer = fchainmn.create_multi_node_checkpointer("run", comm, cp_interval=2,
                                                                gc_interval=2)
        trainer.extend(checkpointer, trigger=(3, "iteration"))
        checkpointer.maybe_load(trainer, optimizer)
    trainer.run()
    save(args.out, f"final_rank{comm.rank}", params_of(model))


if __name__ == "__main__":
    main()

"""MPI job: rank 1 fails in the middle of a loop of all-reduces (``--mode``: it
raises, stops (SIGSTOP: hung), is killed (SIGKILL) or exits normally); the other
ranks must not wait forever."""

from __future__ import annotations

import argparse
import os
import signal
import sys

import numpy as np

from fchain.distributed import create_communicator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["raise", "stop", "kill", "exit", "none"], required=True)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    comm = create_communicator("naive", timeout=args.timeout)
    x = np.ones(1000, np.float32)
    for step in range(10):
        if comm.rank == 1 and step == 3:
            if args.mode == "raise":
                raise ValueError("injected failure")
            if args.mode == "stop":
                os.kill(os.getpid(), signal.SIGSTOP)
            if args.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if args.mode == "exit":
                sys.exit(0)
        comm.allreduce(x)
    print(f"finished rank {comm.rank}", flush=True)


if __name__ == "__main__":
    main()

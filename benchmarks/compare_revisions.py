"""A/B two fchain revisions on the hot-path benchmarks, in alternating processes.

Changes worth keeping on the hot path are often 1% of a loop, while the same
code measured in two processes of this (shared, 2-core) machine can differ by
several percent.  This script runs each measure for the working tree's ``src``
and for another revision's in fresh processes, alternating which side goes first,
and pairs the two processes of each round: every measure is a ratio to the
hand-written numpy of the same work *in the same process* (so a slow process
slows both), and the table gives, per measure, each side's median ratio and the
median of the per-pair quotients new/base with its spread.

Measures (``--measures``, default all):

* ``bare``: the tutorial MLP's bare training loop / its numpy floor
  (``training_loop.bench_bare``);
* ``chain``, ``expr``: ``overhead.py``'s per-op chain and its expression,
  forward and backward, each / its numpy;
* ``sgd``, ``momentum``, ``adam``: ``optimizer_update.py``'s update / its numpy;
* ``trainer``: the Trainer loop on a smaller synthetic MNIST
  (``training_loop.bench_trainer``) / its numpy loop.

Run: ``python benchmarks/compare_revisions.py HEAD~3`` (any git revision; its
``src`` is exported to a temporary folder) or ``--base-src DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MEASURES = ("bare", "chain", "expr", "sgd", "momentum", "adam", "trainer")

_PROBE = """
import json
import benchmarks.training_loop as tl
import fchain
assert fchain.__file__.startswith({src!r}), fchain.__file__
wanted = {measures!r}
out = {{}}
if "bare" in wanted:
    floor, bare, _ = tl.bench_bare({batches}, {rounds})
    out["bare"] = bare / floor
if "chain" in wanted or "expr" in wanted:
    import benchmarks.overhead as oh
    if "chain" in wanted:
        out["chain"] = oh._median_seconds(oh.chain_fchain, 100) / oh._median_seconds(oh.chain_numpy, 100)
    if "expr" in wanted:
        out["expr"] = oh._median_seconds(oh.expr_fchain, 1000) / oh._median_seconds(oh.expr_numpy, 1000)
if {{"sgd", "momentum", "adam"}} & set(wanted):
    import benchmarks.optimizer_update as ou
    from fchain import optimizers
    cases = {{"sgd": (lambda: optimizers.SGD(lr=0.01), ou._hand_sgd),
              "momentum": (lambda: optimizers.MomentumSGD(lr=0.01, momentum=0.9), ou._hand_momentum),
              "adam": (lambda: optimizers.Adam(), ou._hand_adam)}}
    for i, name in enumerate(("sgd", "momentum", "adam")):
        if name in wanted:
            out[name] = ou.measure(*cases[name], seed=i)[2]
if "trainer" in wanted:
    floor, trainer = tl.bench_trainer({train_size}, {test_size}, 1, 1)
    out["trainer"] = trainer / floor
print(json.dumps(out))
"""


def probe(src: str, measures: Sequence[str], batches: int, rounds: int, train_size: int) -> dict[str, float]:
    """Each measure's ratio to its numpy, fchain imported from ``src`` (one process)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, ROOT]))
    code = _PROBE.format(src=src, measures=tuple(measures), batches=batches, rounds=rounds,
                         train_size=train_size, test_size=max(train_size // 5, 100))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return {str(k): float(v) for k, v in found.items()}


def bare_ratio(src: str, batches: int, rounds: int) -> float:
    """The bare loop's ratio to the numpy floor, fchain imported from ``src``."""
    return probe(src, ("bare",), batches, rounds, 0)["bare"]


def export_src(revision: str, into: str) -> str:
    """``git archive`` the revision's ``src`` folder into ``into``; returns its path."""
    archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return os.path.join(into, "src")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("revision", nargs="?", default="HEAD", help="the base revision (default HEAD)")
    parser.add_argument("--base-src", help="a src folder to use as the base instead of a revision")
    parser.add_argument("--pairs", type=int, default=5, help="alternating process pairs")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help=f"comma-separated, of {', '.join(MEASURES)}")
    parser.add_argument("--batches", type=int, default=200, help="bare loop: iterations per round")
    parser.add_argument("--rounds", type=int, default=5, help="bare loop: rounds per process")
    parser.add_argument("--train-size", type=int, default=10000, help="trainer: synthetic training examples")
    args = parser.parse_args(argv)
    measures = [m for m in args.measures.split(",") if m]
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown:
        parser.error(f"unknown measures {unknown}; choose from {', '.join(MEASURES)}")
    new_src = os.path.join(ROOT, "src")
    sides: dict[str, list[dict[str, float]]] = {"base": [], "new": []}
    with tempfile.TemporaryDirectory() as scratch:
        base_src = args.base_src or export_src(args.revision, scratch)
        for i in range(args.pairs):
            order = [("base", base_src), ("new", new_src)]
            for side, src in order if i % 2 == 0 else order[::-1]:
                sides[side].append(probe(src, measures, args.batches, args.rounds, args.train_size))
    print(f"ratio to numpy in the same process; {args.pairs} pairs of processes")
    print(f"{'measure':<10}{'base':>8}{'new':>8}{'new/base':>10}  (per-pair quotients, min-max)")
    for m in measures:
        base = [r[m] for r in sides["base"]]
        new = [r[m] for r in sides["new"]]
        quotients = sorted(n / b for n, b in zip(new, base))
        print(f"{m:<10}{statistics.median(base):>8.3f}{statistics.median(new):>8.3f}"
              f"{statistics.median(quotients):>10.3f}  ({quotients[0]:.3f}-{quotients[-1]:.3f})")


if __name__ == "__main__":
    main()

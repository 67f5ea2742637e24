"""A/B the bare training loop of two fchain revisions, in alternating processes.

Changes worth keeping on the hot path are often 1% of the loop, while the same
code measured in two processes of this (shared, 2-core) machine can differ by
several percent.  This script runs ``training_loop.bench_bare`` for the working
tree's ``src`` and for another revision's, alternating fresh processes, and prints
each side's ratios to the numpy floor and their medians: compare the medians.

Run: ``python benchmarks/compare_revisions.py HEAD~3`` (any git revision; its
``src`` is exported to a temporary folder) or ``--base-src DIR``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_PROBE = """
import benchmarks.training_loop as tl
import fchain
assert fchain.__file__.startswith({src!r}), fchain.__file__
floor, bare, _ = tl.bench_bare({batches}, {rounds})
print(bare / floor)
"""


def bare_ratio(src: str, batches: int, rounds: int) -> float:
    """The bare loop's ratio to the numpy floor, fchain imported from ``src``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, ROOT]))
    code = _PROBE.format(src=src, batches=batches, rounds=rounds)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


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
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    new_src = os.path.join(ROOT, "src")
    with tempfile.TemporaryDirectory() as scratch:
        base_src = args.base_src or export_src(args.revision, scratch)
        ratios: dict[str, list[float]] = {"base": [], "new": []}
        for _ in range(args.pairs):
            ratios["base"].append(bare_ratio(base_src, args.batches, args.rounds))
            ratios["new"].append(bare_ratio(new_src, args.batches, args.rounds))
    for side, values in ratios.items():
        shown = " ".join(f"{v:.3f}" for v in sorted(values))
        print(f"{side:<5} median {statistics.median(values):.3f}   ({shown})")


if __name__ == "__main__":
    main()

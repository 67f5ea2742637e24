"""How long ``import fchain`` takes: the working tree against another revision.

Each sample is a fresh interpreter that times ``import fchain`` (after importing
numpy, which every fchain program loads anyway and which dominates a cold start)
with ``time.perf_counter``; the two sides alternate so that the shared machine's
load hits both alike.  Bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``
folder, warmed by one unmeasured import per side) as it is for an installed package;
``--cold`` compiles every module from source in every sample instead.  Prints each
side's median and spread, in milliseconds, and the number of ``fchain`` modules each
import loads.

Run: ``python benchmarks/import_time.py HEAD~1`` (any git revision; its ``src`` is
exported to a temporary folder), or ``--base-src DIR``; ``--with-numpy`` times
numpy's import as part of the sample; ``--touch training,serializers`` also times
importing those subpackages (what ``import fchain`` defers until first use).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

# Run as a script (``python benchmarks/import_time.py``): the repository root on the path.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.compare_revisions import ROOT, export_src  # noqa: E402

_PROBE = """
import sys, time
{pre}
t0 = time.perf_counter()
import fchain
{touch}
t1 = time.perf_counter()
assert fchain.__file__.startswith({src!r}), fchain.__file__
print((t1 - t0) * 1e3, sum(1 for m in sys.modules if m == "fchain" or m.startswith("fchain.")))
"""


def sample(src: str, with_numpy: bool, pycache: str | None, touch: Sequence[str] = ()) -> tuple[float, int]:
    """Milliseconds ``import fchain`` (then ``import fchain.<name>`` for each name of
    ``touch``) takes from ``src`` in a fresh interpreter, and how many fchain modules
    it loaded; bytecode cached under ``pycache`` (``None``: not cached at all)."""
    code = _PROBE.format(src=src, pre="" if with_numpy else "import numpy",
                         touch="\n".join(f"import fchain.{name}" for name in touch))
    env = dict(os.environ, PYTHONPATH=src)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("revision", nargs="?", default="HEAD", help="the base revision (default HEAD)")
    parser.add_argument("--base-src", help="a src folder to use as the base instead of a revision")
    parser.add_argument("--pairs", type=int, default=15, help="alternating process pairs")
    parser.add_argument("--with-numpy", action="store_true", help="count numpy's import too")
    parser.add_argument("--cold", action="store_true", help="no bytecode cache: compile every time")
    parser.add_argument("--touch", default="", help="comma-separated fchain subpackages to import "
                        "after fchain, inside the timing (e.g. training,serializers)")
    args = parser.parse_args(argv)
    new_src = os.path.join(ROOT, "src")
    with tempfile.TemporaryDirectory() as scratch:
        base_src = args.base_src or export_src(args.revision, scratch)
        pycache = None if args.cold else os.path.join(scratch, "pycache")
        touch = [name for name in args.touch.split(",") if name]
        for src in (base_src, new_src):
            sample(src, args.with_numpy, pycache, touch)  # fills the bytecode cache
        times: dict[str, list[float]] = {"base": [], "new": []}
        modules: dict[str, int] = {}
        for _ in range(args.pairs):
            for side, src in (("base", base_src), ("new", new_src)):
                ms, count = sample(src, args.with_numpy, pycache, touch)
                times[side].append(ms)
                modules[side] = count
    for side, values in times.items():
        low, high = min(values), max(values)
        print(f"{side:<5} median {statistics.median(values):6.1f} ms   (min {low:.1f}, max {high:.1f}; "
              f"{modules[side]} fchain modules)")


if __name__ == "__main__":
    main()

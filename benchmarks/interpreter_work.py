"""Python work per training step, counted: bytecodes and calls, not seconds.

Times on this shared 2-core machine move by several percent between processes,
more than most changes to the hot path.  The interpreter's work does not: this
script runs the tutorial MLP's bare training step (``training_loop.fchain_model``:
``cleargrads``, forward with ``L.Classifier``, ``backward``, SGD update) under a
tracer that counts every bytecode executed and every Python call, for the working
tree and for another revision's ``src`` in fresh processes, and prints both with
the functions whose counts changed most.  Bytecodes are a proxy: they do not see
numpy's kernels or the cost of one bytecode against another, so confirm a
finding with ``compare_revisions.py``; but a change that adds bytecodes to the
step costs time at every size, and this shows where.

Run: ``python benchmarks/interpreter_work.py HEAD~1`` (any git revision).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.compare_revisions import export_src  # noqa: E402

_PROBE = """
import json, sys
import numpy as np
import benchmarks.training_loop as tl
import fchain
assert fchain.__file__.startswith({src!r}), fchain.__file__
model, optimizer = tl.fchain_model()
x, t = tl.make_data(100, 0)
def step():
    model.cleargrads()
    loss = model(x, t)
    loss.backward()
    optimizer.update()
for _ in range(3):
    step()
counts = {{}}
calls = [0]
def tracer(frame, event, arg):
    frame.f_trace_opcodes = True
    if event == "call":
        calls[0] += 1
    elif event == "opcode":
        code = frame.f_code
        key = code.co_filename.rpartition("/src/")[2] + ":" + code.co_name
        counts[key] = counts.get(key, 0) + 1
    return tracer
sys.settrace(tracer)
for _ in range({steps}):
    step()
sys.settrace(None)
print(json.dumps({{"calls": calls[0] / {steps}, "opcodes": {{k: v / {steps} for k, v in counts.items()}}}}))
"""


def count(src: str, steps: int) -> tuple[float, dict[str, float]]:
    """Calls and bytecodes per step (by function) with fchain imported from ``src``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, ROOT]))
    out = subprocess.run([sys.executable, "-c", _PROBE.format(src=src, steps=steps)], env=env,
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return float(found["calls"]), {str(k): float(v) for k, v in found["opcodes"].items()}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("revision", nargs="?", default="HEAD", help="the base revision (default HEAD)")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--top", type=int, default=15, help="functions to list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        base_calls, base = count(export_src(args.revision, scratch), args.steps)
    new_calls, new = count(os.path.join(ROOT, "src"), args.steps)
    base_total, new_total = sum(base.values()), sum(new.values())
    print(f"{'per training step':<24}{'base':>10}{'new':>10}{'ratio':>8}")
    print(f"{'bytecodes':<24}{base_total:>10.0f}{new_total:>10.0f}{new_total / base_total:>8.3f}")
    print(f"{'Python calls':<24}{base_calls:>10.0f}{new_calls:>10.0f}{new_calls / base_calls:>8.3f}")
    changed = sorted(set(base) | set(new), key=lambda k: -abs(new.get(k, 0.0) - base.get(k, 0.0)))
    print(f"\n{'function':<64}{'base':>8}{'new':>8}")
    for key in changed[:args.top]:
        print(f"{key[-64:]:<64}{base.get(key, 0.0):>8.0f}{new.get(key, 0.0):>8.0f}")


if __name__ == "__main__":
    main()

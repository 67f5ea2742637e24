"""The ROI functions at Faster R-CNN's sizes: fchain against Chainer 7.8.1.

One call and its backward (output gradient of ones) per timing, threads = 1, x
``(1, C, 38, 50)`` float32 (VGG-16's conv5 map of a 600x800 image), 128 boxes of
32-200 pixels anywhere in the 608x800 image, ``spatial_scale`` 1/16, outsize 7:
the pooling functions with C = 256, the align functions with C = 4 (Chainer's CPU
align loops in Python over every output element: minutes at C = 256).

Printed: seconds per call (best of the rounds), and with ``--chainer-python PATH``
(an interpreter with Chainer: it runs this file with ``--chainer-only`` between
fchain's rounds, so the two alternate under the same load) Chainer's seconds and
fchain's ratio to them.  Chainer's ``roi_max_pooling_2d`` takes about 30 s a call
here (its CPU backward loops over every output); ``--rounds`` applies to both.
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
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

CASES = [("roi_average_pooling_2d", 256), ("roi_max_pooling_2d", 256),
         ("roi_average_align_2d", 4), ("roi_max_align_2d", 4)]
N_ROIS = 128


def inputs(channels: int) -> tuple[Any, Any, Any]:
    """x, the boxes and their image indices (the same in both interpreters)."""
    rng = np.random.RandomState(0)
    x = rng.standard_normal((1, channels, 38, 50)).astype(np.float32)
    y0, x0 = rng.uniform(0, 500, N_ROIS), rng.uniform(0, 700, N_ROIS)
    boxes = np.stack([y0, x0, y0 + rng.uniform(32, 200, N_ROIS), x0 + rng.uniform(32, 200, N_ROIS)], 1)
    return x, boxes.astype(np.float32), np.zeros(N_ROIS, np.int32)


def time_call(framework: str, name: str, channels: int) -> float:
    """Seconds for one forward and backward of ``name`` in ``framework``
    (``fchain`` or ``chainer``)."""
    lib: Any = importlib.import_module(framework)
    fn = getattr(importlib.import_module(f"{framework}.functions"), name)
    x, boxes, index = inputs(channels)
    v = lib.Variable(x)
    start = time.perf_counter()
    y = fn(v, boxes, index, 7, 1 / 16)
    y.grad = np.ones(y.shape, np.float32)
    y.backward()
    return time.perf_counter() - start


def _chainer_round(python: str, name: str, channels: int) -> float:
    out = subprocess.run([python, os.path.abspath(__file__), "--chainer-only", name, str(channels)],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, CHAINER_WARN_VERSION_MISMATCH="0"))
    seconds: float = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chainer-python", default=os.environ.get("FCHAIN_CHAINER_PYTHON"),
                        help="an interpreter with Chainer 7.8.1 to compare against")
    parser.add_argument("--chainer-only", nargs=2, metavar=("NAME", "CHANNELS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chainer_only:
        name, channels = args.chainer_only
        print(json.dumps(time_call("chainer", name, int(channels))))
        return
    print(f"ROI functions, x (1, C, 38, 50), {N_ROIS} boxes, outsize 7, scale 1/16, forward + backward, 1 thread")
    print(f"{'function':<26}{'C':>5}{'fchain s':>10}{'Chainer s':>11}{'ratio':>8}")
    for name, channels in CASES:
        time_call("fchain", name, channels)  # warm-up
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.rounds):
            ours.append(time_call("fchain", name, channels))
            if args.chainer_python:
                theirs.append(_chainer_round(args.chainer_python, name, channels))
        line = f"{name:<26}{channels:>5}{min(ours):>10.4f}"
        if theirs:
            line += f"{min(theirs):>11.3f}{min(ours) / min(theirs):>8.3f}  (fchain / Chainer, best rounds)"
        print(line, flush=True)


if __name__ == "__main__":
    main()

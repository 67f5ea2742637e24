"""Replaying Chainer's golden op cases in fchain, shared by the golden tests of each
family (``test_chainer_golden_ops.py``, ``test_chainer_golden_conv_pool.py``).

A case file pair ``<stem>_cases.json`` / ``<stem>.npz`` (written by
``tests/fixtures/chainer/make_golden_ops.py``'s ``write``) holds each case's float32
inputs, Chainer's outputs, a random output gradient and Chainer's input gradients.
``replay`` runs one case in fchain, forward or backward, and compares bit for bit
(the raw bytes, so even the sign of a zero counts), or within a number of units in
the last place where the caller allows it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy

import fchain
import fchain.functions as F
from fchain.types import Array

from tests.fixtures.chainer.golden_args import decode

__all__ = ["GOLDEN", "GoldenSet", "differs", "replay", "scaled_ulps", "ulps"]

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"


class GoldenSet:
    """The cases of one ``<stem>_cases.json`` / ``<stem>.npz`` pair."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.cases: list[dict[str, Any]] = json.loads((GOLDEN / f"{stem}_cases.json").read_text())

    @functools.cached_property
    def arrays(self) -> list[dict[str, list[Array | None]]]:
        """Each case's arrays, cut from the per-dtype concatenations of the npz."""
        with numpy.load(GOLDEN / f"{self.stem}.npz", allow_pickle=False) as f:
            flat = {k: f[k] for k in f.files}
        offsets: dict[str, int] = {}

        def take(kind: str, meta: dict[str, Any]) -> Array:
            key = f"{kind}/{meta['dtype']}"
            start = offsets.get(key, 0)
            size = int(numpy.prod(meta["shape"], dtype=numpy.int64))
            offsets[key] = start + size
            out: Array = flat[key][start:start + size].reshape(meta["shape"])
            return out

        per_case: list[dict[str, list[Array | None]]] = []
        for case in self.cases:
            per_case.append({
                "xs": [take("inputs", m) for m in case["inputs"]],
                "ys": [take("y", m) for m in case["outputs"]],
                "gys": [take("gy", m) for m in case["outputs"]] if case["grads"] else [],
                "gxs": [None if m is None else take("gx", m) for m in case["grads"]],
            })
        assert offsets == {k: v.size for k, v in flat.items()}, f"{self.stem}.npz and its cases disagree"
        return per_case


def ulps(got: Array, want: Array) -> int:
    """The largest distance in units in the last place (+0 and -0 are one point)."""
    bits = numpy.dtype(f"int{8 * want.dtype.itemsize}")
    a, b = (x.view(bits).astype(numpy.int64) for x in (got, want))
    top = numpy.int64(numpy.iinfo(bits).max)
    a, b = (numpy.where(x < 0, -(x & top), x) for x in (a, b))
    return int(numpy.max(numpy.abs(a - b), initial=0))


def scaled_ulps(got: Array, want: Array) -> float:
    """The largest difference in units in the last place of the largest ``|want|``:
    the measure for sums whose terms cancel (a GEMM), where an element near zero
    may be many of its own ulps away while the error is tiny against the terms."""
    top = numpy.max(numpy.abs(want), initial=0).astype(want.dtype)
    diff = numpy.max(numpy.abs(got.astype(numpy.float64) - want.astype(numpy.float64)), initial=0.0)
    return float(diff / numpy.spacing(top)) if top else float(diff)


def differs(label: str, got: Array, want: Array, max_ulps: int | None, scaled: bool = False) -> str | None:
    """Why ``got`` is not Chainer's ``want``: None when it has Chainer's bytes, or,
    with ``max_ulps`` given, Chainer's values within that many ulps (+0 == -0);
    ``scaled``: ulps of the largest ``|want|`` (``scaled_ulps``)."""
    got = numpy.asarray(got)
    if got.dtype != want.dtype or got.shape != want.shape:
        return f"{label}: {got.dtype}{got.shape} != Chainer's {want.dtype}{want.shape}"
    if want.dtype.kind != "f":
        return None if numpy.array_equal(got, want) else f"{label}: {got.ravel()} != Chainer's {want.ravel()}"
    if got.tobytes() == want.tobytes():
        return None
    if numpy.isnan(got).any() or numpy.isnan(want).any():
        return f"{label}: NaNs differ: {got.ravel()} != Chainer's {want.ravel()}"
    distance: float = scaled_ulps(got, want) if scaled else ulps(got, want)
    if max_ulps is not None and distance <= max_ulps:
        return None
    unit = "ulps of the largest |value|" if scaled else "ulps"
    return (f"{label}: {distance:g} {unit} from Chainer's (allowed {max_ulps or 0}); "
            f"{int(numpy.count_nonzero(got != want))} of {want.size} elements differ"
            + (" (signs of zeros only)" if distance == 0 else ""))


def replay(golden: GoldenSet, index: int, part: str, max_ulps: int | None, scaled: bool = False) -> None:
    """Replay case ``index`` in fchain and compare its outputs (``part='forward'``)
    or its input gradients (``'backward'``) with Chainer's (``scaled``: see
    ``differs``)."""
    case = golden.cases[index]
    arrays = golden.arrays[index]
    xs = [x for x in arrays["xs"] if x is not None]
    args: list[Any] = [fchain.Variable(x.copy()) if spec["grad"] else x.copy()
                       for x, spec in zip(xs, case["inputs"])]
    fn = getattr(F, case["op"])
    with fchain.using_config("train", case["train"]):
        out = fn(*[decode(a, args) for a in case["args"]],
                 **{k: decode(v, args) for k, v in case["kwargs"].items()})
    outs: list[fchain.Variable] = list(out) if isinstance(out, (tuple, list)) else [out]
    assert len(outs) == len(arrays["ys"])
    errors: list[str | None] = []
    if part == "forward":
        for i, (y, want) in enumerate(zip(outs, arrays["ys"])):
            assert want is not None
            errors.append(differs(f"output {i}", y.array, want, max_ulps, scaled))
    else:
        gys = [g.copy() for g in arrays["gys"] if g is not None]
        if len(outs) == 1:
            outs[0].grad = gys[0]
            outs[0].backward()
        else:
            fchain.backward(outs, list(gys))
        for i, (a, want) in enumerate(zip(args, arrays["gxs"])):
            if want is None:
                assert not isinstance(a, fchain.Variable) or a.grad is None, f"input {i} got a gradient"
            else:
                assert isinstance(a, fchain.Variable) and a.grad is not None, f"input {i}: no gradient"
                errors.append(differs(f"gradient of input {i}", a.grad, want, max_ulps, scaled))
    assert not any(errors), "\n".join(e for e in errors if e)

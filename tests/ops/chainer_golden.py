"""Replaying Chainer's golden files of ``fchain.functions`` in fchain, op by op.

Each pair ``tests/fixtures/chainer/<stem>_cases.json`` / ``<stem>.npz`` (written by a
``make_golden_ops*.py`` script there, with real Chainer; the format is described in
``golden_ops_writer.py``) holds a few representative calls per op: the float32
inputs, Chainer's forward output(s), a random output gradient and Chainer's input
gradients, and the values after the call of any inputs the function updates in
place (running statistics); results that are arrays rather than Variables (the
samples ``negative_sampling`` returns, ``argmax_crf1d``'s path) are compared too.
``GoldenSet`` loads one pair; ``run`` replays one case
in fchain, forward (outputs and in-place inputs) and backward separately, and
compares bit for bit (the raw bytes, so even the sign of a zero counts) unless the
caller allows some units in the last place.
Each ``test_chainer_golden_*.py`` file replays one set with its own list of ulp
budgets and documented discrepancies.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array
from tests.fixtures.chainer.golden_args import decode, leaves

__all__ = ["GOLDEN", "NO_BACKWARD", "GoldenSet", "all_sets", "differs", "params", "run", "scaled_ulps", "ulps"]

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"
NO_BACKWARD = {"argmax", "argmin", "accuracy", "binary_accuracy"}
DEPRECATED = {"fixed_batch_renormalization"}
"""Chainer 7's deprecated aliases: every call warns, as Chainer's does."""

Budget = dict[tuple[str, str], tuple[int, str]]
"""(case id, "forward" or "backward") -> (max units in the last place, why)."""
Known = dict[tuple[str, str], str]
"""(case id, part) -> why fchain's numbers differ from Chainer's (a strict xfail)."""


class GoldenSet:
    """The cases of one fixture pair and, loaded on first use, their arrays."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.cases: list[dict[str, Any]] = json.loads((GOLDEN / f"{stem}_cases.json").read_text())

    @functools.cached_property
    def arrays(self) -> list[dict[str, list[Array | None]]]:
        """Each case's arrays, cut from the per-dtype concatenations of the ``.npz``."""
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
                "gys": [take("gy", m) for m in case["outputs"] if not m.get("data")] if case["grads"] else [],
                "gxs": [None if m is None else take("gx", m) for m in case["grads"]],
                "after": [take("after", m) for m in case.get("after", [])],
            })
        assert offsets == {k: v.size for k, v in flat.items()}, f"{self.stem}.npz and its cases disagree"
        return per_case


def all_sets() -> list[GoldenSet]:
    """Every fixture pair of ``fchain.functions`` cases (``ops*_cases.json``)."""
    return [GoldenSet(p.name[:-len("_cases.json")]) for p in sorted(GOLDEN.glob("ops*_cases.json"))]


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
    return (f"{label}: {distance:g} {'scaled ' if scaled else ''}ulps from Chainer's (allowed {max_ulps or 0}); "
            f"{int(numpy.count_nonzero(got != want))} of {want.size} elements differ"
            + (" (signs of zeros only)" if distance == 0 else ""))


def params(golden: GoldenSet, part: str, known: Known) -> list[Any]:
    """pytest parameters for every case of ``golden`` that has ``part``, those
    ``known`` to differ marked as strict xfails with the reason."""
    out = []
    for index, case in enumerate(golden.cases):
        if part == "backward" and not case["grads"]:
            continue
        key = (case["id"], part)
        marks = [pytest.mark.xfail(strict=True, reason=known[key])] if key in known else []
        out.append(pytest.param(index, id=case["id"], marks=marks))
    return out


def check_budgets(golden: GoldenSet, budget: Budget, known: Known) -> None:
    """Every budget and known discrepancy names a case and part that exists, and no
    part is in both."""
    existing = {(case["id"], part) for case in golden.cases for part in ("forward", "backward")}
    assert set(budget) <= existing, sorted(set(budget) - existing)
    assert set(known) <= existing, sorted(set(known) - existing)
    assert not set(budget) & set(known)


def run(golden: GoldenSet, index: int, part: str, budget: Budget, scaled: Collection[str] = ()) -> None:
    """Replay case ``index`` of ``golden`` in fchain and compare its outputs and the
    inputs it updates in place (``part='forward'``) or its input gradients
    (``'backward'``) with Chainer's, allowing the ulps ``budget`` names for that
    case and part (counted in ulps of each array's largest value for the case ids
    in ``scaled``)."""
    case = golden.cases[index]
    arrays = golden.arrays[index]
    key = (case["id"], part)
    max_ulps = budget[key][0] if key in budget else None
    by_scale = case["id"] in scaled
    xs = [x for x in arrays["xs"] if x is not None]
    args: list[Any] = [fchain.Variable(x.copy()) if spec["grad"] else x.copy()
                       for x, spec in zip(xs, case["inputs"])]
    fn = getattr(F, case["op"])
    with fchain.using_config("train", case["train"]), contextlib.ExitStack() as stack:
        if case["op"] in DEPRECATED:
            stack.enter_context(pytest.warns(DeprecationWarning, match=f"{case['op']} is deprecated"))
        out = fn(*[decode(a, args) for a in case["args"]],
                 **{k: decode(v, args) for k, v in case["kwargs"].items()})
    results = leaves(out)
    assert len(results) == len(arrays["ys"])
    data = [bool(m.get("data")) for m in case["outputs"]]
    assert data == [not isinstance(y, fchain.Variable) for y in results]
    outs: list[fchain.Variable] = [y for y in results if isinstance(y, fchain.Variable)]
    errors: list[str | None] = []
    if part == "forward":
        for i, (y, want) in enumerate(zip(results, arrays["ys"])):
            assert want is not None
            got = y.array if isinstance(y, fchain.Variable) else y
            errors.append(differs(f"output {i}", got, want, max_ulps, by_scale))
        states = [(i, a) for i, (a, spec) in enumerate(zip(args, case["inputs"])) if spec.get("state")]
        assert len(states) == len(arrays["after"])
        for (i, a), want in zip(states, arrays["after"]):
            assert want is not None
            errors.append(differs(f"input {i} after the call", a, want, max_ulps, by_scale))
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
                errors.append(differs(f"gradient of input {i}", a.grad, want, max_ulps, by_scale))
    assert not any(errors), "\n".join(e for e in errors if e)

"""Replaying Chainer's golden cases in fchain, shared by the golden tests.

``load(stem)`` reads ``tests/fixtures/chainer/<stem>_cases.json`` and ``<stem>.npz``
(written by ``make_golden_ops.py`` or a sibling generator) and cuts each case's
arrays out of the per-dtype concatenations; ``replay`` calls the case's function
in fchain and compares its outputs (``'forward'``, with the arrays the call updates
in place, such as running statistics) or its input gradients (``'backward'``) with
Chainer's, bit for bit or within a given number of units in the last place;
``params`` makes the pytest parameters of one part, with documented xfails.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array

from tests.fixtures.chainer.golden_args import decode

__all__ = ["GOLDEN", "Golden", "differs", "load", "params", "replay", "ulps"]

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "chainer"

Golden = dict[str, list[Array | None]]
"""One case's arrays: ``xs`` (inputs), ``ys`` (outputs), ``gys`` (output gradients),
``gxs`` (input gradients, None where none) and ``after`` (in-place inputs after the call)."""


@functools.cache
def load(stem: str) -> tuple[list[dict[str, Any]], list[Golden]]:
    """The cases of ``<stem>_cases.json`` and, for each, its arrays from ``<stem>.npz``."""
    cases: list[dict[str, Any]] = json.loads((GOLDEN / f"{stem}_cases.json").read_text())
    with numpy.load(GOLDEN / f"{stem}.npz", allow_pickle=False) as f:
        flat = {k: f[k] for k in f.files}
    offsets: dict[str, int] = {}

    def take(kind: str, meta: dict[str, Any]) -> Array:
        key = f"{kind}/{meta['dtype']}"
        start = offsets.get(key, 0)
        size = int(numpy.prod(meta["shape"], dtype=numpy.int64))
        offsets[key] = start + size
        out: Array = flat[key][start:start + size].reshape(meta["shape"])
        return out

    per_case: list[Golden] = []
    for case in cases:
        per_case.append({
            "xs": [take("inputs", m) for m in case["inputs"]],
            "ys": [take("y", m) for m in case["outputs"]],
            "gys": [take("gy", m) for m in case["outputs"]] if case["grads"] else [],
            "gxs": [None if m is None else take("gx", m) for m in case["grads"]],
            "after": [take("after", m) for m in case.get("after", [])],
        })
    assert offsets == {k: v.size for k, v in flat.items()}, f"{stem}.npz and {stem}_cases.json disagree"
    return cases, per_case


def ulps(got: Array, want: Array) -> int:
    """The largest distance in units in the last place (+0 and -0 are one point)."""
    bits = numpy.dtype(f"int{8 * want.dtype.itemsize}")
    a, b = (x.view(bits).astype(numpy.int64) for x in (got, want))
    top = numpy.int64(numpy.iinfo(bits).max)
    a, b = (numpy.where(x < 0, -(x & top), x) for x in (a, b))
    return int(numpy.max(numpy.abs(a - b), initial=0))


def differs(label: str, got: Array, want: Array, max_ulps: int | None) -> str | None:
    """Why ``got`` is not Chainer's ``want``: None when it has Chainer's bytes, or,
    with ``max_ulps`` given, Chainer's values within that many ulps (+0 == -0)."""
    got = numpy.asarray(got)
    if got.dtype != want.dtype or got.shape != want.shape:
        return f"{label}: {got.dtype}{got.shape} != Chainer's {want.dtype}{want.shape}"
    if want.dtype.kind != "f":
        return None if numpy.array_equal(got, want) else f"{label}: {got.ravel()} != Chainer's {want.ravel()}"
    if got.tobytes() == want.tobytes():
        return None
    if numpy.isnan(got).any() or numpy.isnan(want).any():
        return f"{label}: NaNs differ: {got.ravel()} != Chainer's {want.ravel()}"
    distance = ulps(got, want)
    if max_ulps is not None and distance <= max_ulps:
        return None
    return (f"{label}: {distance} ulps from Chainer's (allowed {max_ulps or 0}); "
            f"{int(numpy.count_nonzero(got != want))} of {want.size} elements differ"
            + (" (signs of zeros only)" if distance == 0 else ""))


def params(cases: list[dict[str, Any]], part: str, xfail: dict[tuple[str, str], str]) -> list[Any]:
    """One pytest parameter (the case's index, its id as the test id) per case that
    has ``part``; those listed in ``xfail`` are strict xfails with the reason."""
    out = []
    for index, case in enumerate(cases):
        if part == "backward" and not case["grads"]:
            continue
        key = (case["id"], part)
        marks = [pytest.mark.xfail(strict=True, reason=xfail[key])] if key in xfail else []
        out.append(pytest.param(index, id=case["id"], marks=marks))
    return out


def replay(case: dict[str, Any], golden: Golden, part: str, max_ulps: int | None) -> None:
    """Replay ``case`` in fchain and assert that its outputs and updated in-place
    inputs (``part='forward'``) or its input gradients (``'backward'``) are Chainer's."""
    xs = [x for x in golden["xs"] if x is not None]
    args: list[Any] = [fchain.Variable(x.copy()) if spec["grad"] else x.copy()
                       for x, spec in zip(xs, case["inputs"])]
    fn = getattr(F, case["op"])
    with fchain.using_config("train", case["train"]):
        out = fn(*[decode(a, args) for a in case["args"]],
                 **{k: decode(v, args) for k, v in case["kwargs"].items()})
    outs: list[fchain.Variable] = list(out) if isinstance(out, (tuple, list)) else [out]
    assert len(outs) == len(golden["ys"])
    errors: list[str | None] = []
    if part == "forward":
        for i, (y, want) in enumerate(zip(outs, golden["ys"])):
            assert want is not None
            errors.append(differs(f"output {i}", y.array, want, max_ulps))
        states = [(i, a) for i, (a, spec) in enumerate(zip(args, case["inputs"])) if spec.get("state")]
        assert len(states) == len(golden["after"])
        for (i, a), want in zip(states, golden["after"]):
            assert want is not None
            errors.append(differs(f"input {i} after the call", a, want, max_ulps))
    else:
        gys = [g.copy() for g in golden["gys"] if g is not None]
        if len(outs) == 1:
            outs[0].grad = gys[0]
            outs[0].backward()
        else:
            fchain.backward(outs, list(gys))
        for i, (a, want) in enumerate(zip(args, golden["gxs"])):
            if want is None:
                assert not isinstance(a, fchain.Variable) or a.grad is None, f"input {i} got a gradient"
            else:
                assert isinstance(a, fchain.Variable) and a.grad is not None, f"input {i}: no gradient"
                errors.append(differs(f"gradient of input {i}", a.grad, want, max_ulps))
    assert not any(errors), "\n".join(e for e in errors if e)

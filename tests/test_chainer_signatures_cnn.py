"""Issue 12's functions, links and image datasets take Chainer 7.8.1's arguments.

``tests/fixtures/chainer/signatures_cnn.json`` (``make_signatures_cnn.py``, run
with Chainer) holds Chainer's signatures; fchain's must take the same named
parameters in the same order, each positional where Chainer's is, with the same
default.  Where Chainer has ``*args``/``**kwargs`` (the keywords it parses by
hand: ``dilate``, ``groups``, ``eps``, ``finetune``, ...) fchain may spell them
out as named parameters with defaults, and need not take arbitrary ones
(``LocalConvolution2D`` accepts and ignores any keyword in Chainer; fchain refuses
them).  ``Bias.forward``/``Scale.forward`` name Chainer's ``*xs`` ``(x, y=None)``.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import fchain.datasets as D
import fchain.functions as F
import fchain.links as L

TABLE: dict[str, list[list[Any]]] = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "chainer" / "signatures_cnn.json").read_text())
KINDS = {inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional", inspect.Parameter.POSITIONAL_ONLY: "positional",
         inspect.Parameter.KEYWORD_ONLY: "keyword", inspect.Parameter.VAR_POSITIONAL: "*",
         inspect.Parameter.VAR_KEYWORD: "**"}


def _resolve(key: str) -> Any:
    head, name, *member = key.split(".")
    owner = {"F": F, "L": L, "datasets": D}[head]
    obj = getattr(owner, name)
    if head == "F":
        return obj
    return getattr(obj, member[0] if member else "__init__")


def _fchain(key: str) -> list[list[Any]]:
    out = []
    for p in inspect.signature(_resolve(key)).parameters.values():
        if p.name in ("self", "cls"):
            continue
        default = None if p.default is inspect.Parameter.empty else (
            p.default.__name__ if callable(p.default) else repr(p.default))
        out.append([p.name, KINDS[p.kind], default])
    return out


# Where fchain names what Chainer takes as ``*xs`` (one input or two): the spelling.
NAMED_VARIADIC: dict[str, list[list[Any]]] = {
    "L.Bias.forward": [["x", "positional", None], ["y", "positional", "None"]],
    "L.Scale.forward": [["x", "positional", None], ["y", "positional", "None"]],
}


@pytest.mark.parametrize("key", sorted(TABLE))
def test_takes_chainers_arguments(key: str) -> None:
    theirs = TABLE[key]
    ours = _fchain(key)
    if key in NAMED_VARIADIC:
        assert theirs == [["xs", "*", None]] and ours == NAMED_VARIADIC[key]
        return
    named = [p for p in theirs if p[1] in ("positional", "keyword")]
    variadic = any(p[1] in ("*", "**") for p in theirs)
    ours_named = [p for p in ours if p[1] in ("positional", "keyword")]
    assert [p[0] for p in ours_named[:len(named)]] == [p[0] for p in named], (theirs, ours)
    for want, got in zip(named, ours_named):
        assert got[2] == want[2], f"{key}: default of {want[0]} is {got[2]}, Chainer's {want[2]}"
        if want[1] == "positional":
            assert got[1] == "positional", f"{key}: {want[0]} must be positional as in Chainer"
    extra = ours_named[len(named):]
    assert variadic or not extra, f"{key}: parameters Chainer does not take: {extra}"
    assert all(p[2] is not None for p in extra), f"{key}: spelled-out keywords need defaults: {extra}"


def test_the_table_covers_the_issue() -> None:
    assert len([k for k in TABLE if k.startswith("F.")]) == 69
    assert len([k for k in TABLE if k.startswith("L.") and k.count(".") == 1]) == 25

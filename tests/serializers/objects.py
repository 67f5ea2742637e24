"""Small hand-written ``Serializable`` objects for the serializer tests.

``Tree`` behaves like Chainer's ``Link.serialize``: parameters (sorted), then
persistents, then children; a parameter that is ``None`` is lazy and is initialized
from the file's data.  ``Rule`` behaves like Chainer 7's ``UpdateRule.serialize``:
``t``, then its state; a fresh rule (state ``None``) asks for each state key with
``None``, tolerates a missing key only when disabled, and stays fresh when a key is
missing.
"""

from __future__ import annotations

from typing import Any

import numpy

from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.types import Array


class Tree:
    def __init__(self, params: dict[str, Array | None] | None = None,
                 persistents: dict[str, Any] | None = None,
                 children: dict[str, Tree] | None = None) -> None:
        self.params: dict[str, Array | None] = dict(params or {})
        self.persistents: dict[str, Any] = dict(persistents or {})
        self.children: dict[str, Tree] = dict(children or {})

    def serialize(self, serializer: AbstractSerializer) -> None:
        for name in sorted(self.params):
            current = self.params[name]
            data = serializer(name, current)
            if current is None and data is not None:
                self.params[name] = numpy.array(data, copy=True)
        for name in sorted(self.persistents):
            self.persistents[name] = serializer(name, self.persistents[name])
        for name in sorted(self.children):
            self.children[name].serialize(serializer[name])

    def snapshot(self) -> dict[str, Any]:
        """Every value, copied, keyed by path: for "unchanged" checks."""
        out: dict[str, Any] = {}
        for name, p in self.params.items():
            out[name] = None if p is None else p.copy()
        for name, v in self.persistents.items():
            out[name] = (type(v), v)
        for cname, child in self.children.items():
            for k, v in child.snapshot().items():
                out[cname + "/" + k] = v
        return out


def same_snapshot(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for k, va in a.items():
        vb = b[k]
        if isinstance(va, numpy.ndarray) or isinstance(vb, numpy.ndarray):
            if not (isinstance(va, numpy.ndarray) and isinstance(vb, numpy.ndarray)):
                return False
            if va.dtype != vb.dtype or va.shape != vb.shape or not numpy.array_equal(va, vb, equal_nan=True):
                return False
        elif va != vb:
            return False
    return True


class Rule:
    STATE_NAMES = ("m", "v")

    def __init__(self, enabled: bool = True, t: int = 0, state: dict[str, Array] | None = None) -> None:
        self.enabled = enabled
        self.t = t
        self.state = state

    def serialize(self, serializer: AbstractSerializer) -> None:
        self.t = int(serializer("t", self.t))
        if self.state is None:
            if not isinstance(serializer, Deserializer):
                return
            loaded: dict[str, Array] = {}
            for key in self.STATE_NAMES:
                try:
                    value = serializer(key, None)
                except KeyError:
                    if self.enabled:
                        raise
                    value = None
                if value is None:
                    self.state = None
                    return
                assert isinstance(value, numpy.ndarray)
                loaded[key] = value
            self.state = loaded
        else:
            for key in sorted(self.state):
                self.state[key] = serializer(key, self.state[key])


class Optim:
    """An optimizer-like holder: ``t``, ``epoch`` and one rule per named param."""

    def __init__(self, rules: dict[str, Rule], t: int = 0, epoch: int = 0) -> None:
        self.rules = rules
        self.t = t
        self.epoch = epoch

    def serialize(self, serializer: AbstractSerializer) -> None:
        self.t = int(serializer("t", self.t))
        self.epoch = int(serializer("epoch", self.epoch))
        for name in sorted(self.rules):
            self.rules[name].serialize(serializer[name])


def linear(n_in: int, n_out: int, seed: int, dtype: type = numpy.float32) -> Tree:
    rng = numpy.random.default_rng(seed)
    return Tree({
        "W": rng.standard_normal((n_out, n_in)).astype(dtype),
        "b": rng.standard_normal(n_out).astype(dtype),
    })


def classifier_mlp(seed: int = 0, n_in: int = 4, n_units: int = 5, n_out: int = 3) -> Tree:
    """The tree of Chainer's tutorial ``Classifier(MLP(n_units, n_out))``."""
    mlp = Tree(children={
        "l1": linear(n_in, n_units, seed),
        "l2": linear(n_units, n_units, seed + 1),
        "l3": linear(n_units, n_out, seed + 2),
    })
    return Tree(children={"predictor": mlp})

"""Serializing hyperparameters with an optimizer's state.

Chainer's optimizer files hold ``t``, ``epoch`` and the state arrays only.  fchain
adds the hyperparameters under ``__fchain__/hyperparam/<name>`` (the optimizer's,
and each rule's overrides under its parameter's path), so a resumed run continues
with the learning rate it stopped at; a file without those keys (one Chainer wrote)
loads and leaves the hyperparameters as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import numpy

from fchain.core import backend
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.types import Array

__all__ = ["read_optional", "serialize_hyperparam", "split_path"]

FCHAIN_GROUP = "__fchain__"
_HYPERPARAM_GROUP = "hyperparam"
_SCALAR_TYPES = (bool, int, float)


def read_optional(serializer: AbstractSerializer, path: tuple[str, ...], key: str) -> object | None:
    """The stored value under ``path/key``, or ``None`` when the file lacks it (a
    file Chainer wrote has no fchain keys)."""
    try:
        s = serializer
        for part in path:
            s = s[part]
        contains = getattr(s, "__contains__", None)
        if contains is not None and not contains(key):
            return None
        value: object = s(key, None)
    except KeyError:
        return None
    return value


def _as_scalar(value: object) -> bool | int | float | None:
    try:
        item = numpy.asarray(backend.to_numpy(cast(Array, value))).item()
    except (TypeError, ValueError):
        return None
    return item if isinstance(item, _SCALAR_TYPES) else None


def serialize_hyperparam(serializer: AbstractSerializer, hp: Hyperparameter,
                         entries: Iterable[tuple[str, object]]) -> None:
    """Save ``entries`` (the scalar ones) of ``hp``, or load every entry ``hp`` can
    read that the file holds."""
    path = (FCHAIN_GROUP, _HYPERPARAM_GROUP)
    if isinstance(serializer, Deserializer):
        for name in hp.get_dict():
            raw = read_optional(serializer, path, name)
            if raw is not None:
                scalar = _as_scalar(raw)
                if scalar is not None:
                    setattr(hp, name, scalar)
        return
    items = [(k, v.item() if isinstance(v, numpy.generic) else v) for k, v in entries]
    items = [(k, v) for k, v in items if isinstance(v, _SCALAR_TYPES)]
    if items:
        group = serializer[FCHAIN_GROUP][_HYPERPARAM_GROUP]
        for name, value in items:
            group(name, value)


def split_path(name: str) -> list[str]:
    """``'/l1/W'`` -> ``['l1', 'W']``."""
    return [part for part in name.split("/") if part]

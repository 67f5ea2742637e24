"""A dictionary serializer pair for iterator snapshots, written for the tests:
Chainer's protocol, raising ``KeyError`` for a missing key as Chainer does."""

from __future__ import annotations

from typing import Any

import numpy

from fchain.facade.serializer import Deserializer, Serializer


class DictSaver(Serializer):
    def __init__(self, target: dict[str, Any] | None = None, path: str = "") -> None:
        self.target: dict[str, Any] = {} if target is None else target
        self.path = path

    def __getitem__(self, key: str) -> DictSaver:
        return DictSaver(self.target, self.path + key + "/")

    def __call__(self, key: str, value: Any) -> Any:
        self.target[self.path + key] = numpy.array(value, copy=True)
        return value


class DictLoader(Deserializer):
    def __init__(self, source: dict[str, Any], path: str = "") -> None:
        self.source = source
        self.path = path
        self.read: list[str] = []

    def __getitem__(self, key: str) -> DictLoader:
        child = DictLoader(self.source, self.path + key + "/")
        child.read = self.read
        return child

    def __call__(self, key: str, value: Any) -> Any:
        full = self.path + key
        if full not in self.source:
            raise KeyError(full)
        self.read.append(full)
        stored = numpy.asarray(self.source[full])
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, stored)
            return value
        if value is None:
            return stored
        return type(value)(stored.item())

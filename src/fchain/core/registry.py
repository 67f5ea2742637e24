"""The registry of every op, filled as op modules are imported."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from fchain.core.op import Op

__all__ = ["all_ops", "get_op", "register"]

_OPS: dict[str, Op[Any]] = {}
_VIEW: Mapping[str, Op[Any]] = MappingProxyType(_OPS)

O = TypeVar("O", bound=Op[Any])


def register(op: O) -> O:
    """Add ``op`` to the registry; a second op of the same name is an error."""
    if op.name in _OPS and _OPS[op.name] is not op:
        raise ValueError(f"register: an op named {op.name!r} is already registered")
    _OPS[op.name] = op
    return op


def all_ops() -> Mapping[str, Op[Any]]:  # Any: ops of every params type
    """A read-only view of every registered op, by name."""
    return _VIEW


def get_op(name: str) -> Op[Any]:  # Any: the op named, whatever its params type
    """The op called ``name``."""
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"get_op: no op named {name!r}; known ops: {sorted(_OPS)}") from None

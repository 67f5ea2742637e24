"""Checked sizes for the links' constructors: a count that must be given
(``count``) and one that may be left to the first batch (``count_or_none``), each
refusing anything but an int with a ``TypeError`` naming the link and argument
(Chainer fails later, inside the first call, or not at all)."""

from __future__ import annotations

from fchain.ops._common import describe, int_arg, is_integer

__all__ = ["count", "count_or_none"]


def count_or_none(cls: str, what: str, value: object) -> int | None:
    """A channel count that may be left to the first batch (``None``): a
    non-negative int, else a ``TypeError`` naming the link and the argument."""
    if value is None:
        return None
    if not is_integer(value) or int_arg(cls, what, value) < 0:
        raise TypeError(f"{cls}: {what} must be a non-negative int or None, got {describe(value)}")
    return int_arg(cls, what, value)


def count(cls: str, what: str, value: object) -> int:
    """A channel count that must be given: a positive int."""
    if not is_integer(value) or int_arg(cls, what, value) < 1:
        raise TypeError(f"{cls}: {what} must be a positive int, got {describe(value)}")
    return int_arg(cls, what, value)

"""Argument handling the convolution links share: Chainer's ``ksize=None``
shorthand, per-axis tuples, group divisibility and the input channels a lazily
sized filter takes from the first batch (counts are checked by ``links._sizes``).

Kept apart from the links so each link module holds only its own layout and call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from fchain.errors import ShapeError
from fchain.graph.variable import Variable
from fchain.links._sizes import count
from fchain.ops._common import is_integer
from fchain.ops._window_args import spatial_tuple
from fchain.types import Array

__all__ = [
    "IntOrTuple",
    "check_groups",
    "groups_arg",
    "input_channels",
    "pair",
    "per_axis",
    "raw_ksize",
    "shorthand",
]

IntOrTuple: TypeAlias = int | Sequence[int]
"""An int for every spatial axis, or one int per axis (Chainer's ``ksize=k`` and
``ksize=(k, k)``)."""

def shorthand(in_channels: object, out_channels: object, ksize: object) -> tuple[object, object, object]:
    """Chainer's short form: with ``ksize`` left out, ``Conv(out_channels, ksize)``
    means ``Conv(None, out_channels, ksize)`` (input channels from the first batch)."""
    if ksize is None:
        return None, in_channels, out_channels
    return in_channels, out_channels, ksize


def per_axis(cls: str, what: str, value: object, ndim: int, minimum: int) -> tuple[int, ...]:
    """``value`` (an int or one int per spatial axis) as one int per axis, each at
    least ``minimum``."""
    return spatial_tuple(cls, what, value, ndim, minimum)


def pair(cls: str, what: str, value: object, minimum: int) -> tuple[int, int]:
    """``value`` (an int or a pair) as a pair, each at least ``minimum``."""
    first, second = spatial_tuple(cls, what, value, 2, minimum)
    return first, second


def raw_ksize(cls: str, value: object, ndim: int) -> int | tuple[int, ...]:
    """``ksize`` as Chainer's 2-d links keep it: an int stays an int, a sequence
    becomes a tuple; either is checked (at least 1 on every axis)."""
    if value is None:
        raise TypeError(f"{cls}: ksize is required (give Conv(in_channels, out_channels, ksize) "
                        "or Conv(out_channels, ksize))")
    checked = per_axis(cls, "ksize", value, ndim, 1)
    return checked[0] if is_integer(value) else checked


def check_groups(cls: str, in_channels: int | None, out: int, groups: int) -> None:
    """Chainer's rule: ``groups`` divides both channel counts (Chainer raises the
    same ``ValueError`` when it builds the filter)."""
    if out % groups:
        raise ValueError(f"{cls}: the number of output channels ({out}) must be divisible by the number "
                         f"of groups ({groups})")
    if in_channels is not None and in_channels % groups:
        raise ValueError(f"{cls}: the number of input channels ({in_channels}) must be divisible by the "
                         f"number of groups ({groups})")


def groups_arg(cls: str, value: object) -> int:
    """``groups``: a positive int."""
    return count(cls, "groups", value)


def input_channels(cls: str, x: Variable | Array, ndim: int | None) -> int:
    """The channel count of a batch ``x`` ``(N, C, *spatial)``, for a filter sized
    on the first call; ``ndim`` spatial axes are required (any number from one
    when ``None``)."""
    shape = tuple(x.shape)
    if (ndim is not None and len(shape) != ndim + 2) or len(shape) < 3:
        want = "(N, C, " + ", ".join(f"d{i + 1}" for i in range(ndim or 1)) + (", ...)" if ndim is None else ")")
        raise ShapeError(f"{cls}: x has shape {shape} but must be {want} to size the filter from its channels")
    return int(shape[1])

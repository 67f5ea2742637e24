"""Channels-last data as wide rows, so that per-channel arithmetic runs at memory speed.

numpy applies a per-channel vector ``(C,)`` to channels-last rows ``(M, C)`` one row
at a time: its inner loop is ``C`` values long, and at ``C = 32`` the loop's fixed
cost per call outweighs the arithmetic (measured on a channels-last 64x32x32x32 map:
``x - mean`` 1.45 ms, ``x - 1.0`` 0.75 ms).  Read as ``(M / R, R C)`` against the
vector tiled ``R`` times, the same elementwise operations (the same numbers) run in
loops ``R C`` values long.
"""

from __future__ import annotations

from fchain.types import Array, ArrayNamespace

__all__ = ["WIDTH", "repeats", "tiled"]

WIDTH = 1024
"""How many values a wide row holds at most."""


def repeats(rows_per_item: int, channels: int) -> int:
    """``R``: how many rows of ``channels`` values make one wide row, the largest
    divisor of ``rows_per_item`` with ``R channels <= WIDTH`` (so that a run of whole
    batch items is a run of whole wide rows)."""
    best = 1
    for r in range(1, max(1, WIDTH // max(channels, 1)) + 1):
        if rows_per_item % r == 0:
            best = r
    return best


def tiled(xp: ArrayNamespace, v: Array, r: int) -> Array:
    """The per-channel vector ``v`` (any shape holding ``C`` values) repeated ``r``
    times, ``(r C,)``: the operand for wide rows."""
    return xp.tile(v.reshape(-1), r)

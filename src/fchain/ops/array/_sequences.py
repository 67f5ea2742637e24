"""What the sequence functions share: reading a list of variable-length sequences
and the index maps between their batch-major and time-major layouts.

A list of ``n`` sequences ``xs[i]`` of lengths ``L_i`` (axis 0) is held, joined, as
one array of ``sum(L)`` rows in *batch-major* order (sequence by sequence).  The
*time-major* order lists time step 0 of every sequence long enough, then step 1,
...: Chainer's transposed layout (``transpose_sequence``, the n_step functions),
where step ``t`` has ``B_t = #{i : L_i > t}`` rows.  The maps are computed with
``xp`` on the arrays' device, with no Python loop over the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.errors import DTypeError, ShapeError
from fchain.ops._common import VariableLike, shape_of
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["batch_sizes", "sequence_shapes", "time_major_rows"]


def sequence_shapes(op_name: str, xs: Sequence[VariableLike], arg: str = "xs") -> list[Shape]:
    """Every ``xs[i]``'s shape, checked to be at least 1-d with one dtype and one
    shape past axis 0."""
    shapes = [shape_of(x, op_name, f"{arg}[{i}]") for i, x in enumerate(xs)]
    for i, (x, shape) in enumerate(zip(xs, shapes)):
        if len(shape) < 1:
            raise ShapeError(f"{op_name}: {arg}[{i}] must have at least one dimension (the sequence "
                             "axis), got a 0-d array")
        if shape[1:] != shapes[0][1:]:
            raise ShapeError(f"{op_name}: {arg}[{i}] has shape {shape} but {arg}[0] has {shapes[0]}; every "
                             "sequence must have the same shape after axis 0")
        if x.dtype != xs[0].dtype:
            raise DTypeError(f"{op_name}: {arg}[{i}] has dtype {x.dtype} but {arg}[0] has {xs[0].dtype}")
    return shapes


def batch_sizes(lengths: Sequence[int]) -> tuple[int, ...]:
    """``B_t``, the number of sequences longer than ``t``, for every step ``t`` of the
    longest (``lengths`` sorted in decreasing order)."""
    out: list[int] = []
    n = len(lengths)
    for t in range(lengths[0] if lengths else 0):
        while n and lengths[n - 1] <= t:
            n -= 1
        out.append(n)
    return tuple(out)


def time_major_rows(xp: ArrayNamespace, lengths: Sequence[int]) -> Array:
    """For each row of the time-major layout, its row in the batch-major one
    (``lengths`` sorted in decreasing order)."""
    n, steps = len(lengths), (lengths[0] if lengths else 0)
    starts = xp.asarray([0] + list(_cumsum(lengths))[:-1]) if n else xp.zeros((0,), dtype="int64")
    length = xp.asarray(list(lengths))
    t = xp.reshape(xp.arange(steps), (steps, 1))
    grid = xp.reshape(starts, (1, n)) + t
    return grid[t < xp.reshape(length, (1, n))]


def _cumsum(values: Sequence[int]) -> list[int]:
    total, out = 0, []
    for v in values:
        total += v
        out.append(total)
    return out

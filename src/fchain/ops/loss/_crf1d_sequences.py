"""The layout shared by ``crf1d`` and ``argmax_crf1d``: a batch of sequences of
different lengths, given as Chainer gives it, and checked.

Chainer passes the sequences transposed and sorted by length: ``xs[t]`` holds the
``t``-th element of every sequence still running at time ``t``, a ``(B_t, K)``
array with ``B_0 >= B_1 >= ... >= B_{T-1} >= 1`` (row ``b`` of every ``xs[t]`` is
sequence ``b``).  The ops take the rows of all time steps concatenated into one
``(N, K)`` array (``N = sum B_t``; ``F.concat`` of ``xs``, so each ``xs[t]`` gets its
slice of the gradient) and work on it padded to ``(T, B, K)``, where sequence ``b``
is valid at time ``t`` when ``b < B_t``: one vectorised step per time step for the
whole batch.  Padding and unpadding are gathers (``x[index]``), so they are
differentiable on the second-order pass as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from fchain.core import backend
from fchain.errors import DeviceMismatchError, DTypeError, ShapeError
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array.concat import concat
from fchain.ops.loss._checks import array_of, check_int_labels, check_label_values
from fchain.types import Array, ArrayNamespace

__all__ = ["Layout", "check_labels", "check_sequences", "joined"]


@dataclass(frozen=True)
class Layout:
    """The batch sizes ``B_t`` of the time steps (non-increasing, each at least 1)."""

    batch_sizes: tuple[int, ...]

    @property
    def steps(self) -> int:
        return len(self.batch_sizes)

    @property
    def batch(self) -> int:
        return self.batch_sizes[0]

    @property
    def rows(self) -> int:
        return sum(self.batch_sizes)

    @cached_property
    def lengths(self) -> tuple[int, ...]:
        """Each sequence's length: the number of time steps ``t`` with ``b < B_t``."""
        return tuple(sum(1 for n in self.batch_sizes if n > b) for b in range(self.batch))

    def pad_index(self, xp: ArrayNamespace) -> Array:
        """For each padded position ``(t, b)`` (``t``-major), its row in the
        concatenation; row 0 where the sequence has ended (masked by the users)."""
        index: list[int] = []
        offset = 0
        for n in self.batch_sizes:
            index += [offset + b if b < n else 0 for b in range(self.batch)]
            offset += n
        return xp.asarray(index, dtype=xp.int64)

    def flat_index(self, xp: ArrayNamespace) -> Array:
        """For each row of the concatenation, its padded position ``t * B + b``."""
        return xp.asarray([t * self.batch + b for t, n in enumerate(self.batch_sizes) for b in range(n)],
                          dtype=xp.int64)

    def row_batch(self, xp: ArrayNamespace) -> Array:
        """For each row of the concatenation, its sequence ``b``."""
        return xp.asarray([b for n in self.batch_sizes for b in range(n)], dtype=xp.int64)

    def valid(self, xp: ArrayNamespace) -> Array:
        """``(T, B)`` booleans: whether sequence ``b`` runs at time ``t``."""
        return xp.asarray([[b < n for b in range(self.batch)] for n in self.batch_sizes], dtype=xp.bool_)


def _sequence(fname: str, argname: str, xs: object) -> Sequence[VariableLike]:
    if not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{fname}: {argname} must be a non-empty list or tuple of Variables or arrays, "
                        f"got {type(xs).__name__}" + (" (empty)" if isinstance(xs, (list, tuple)) else ""))
    return xs


def check_sequences(fname: str, cost: VariableLike, xs: object) -> tuple[Layout, int]:
    """Check ``cost`` (``(K, K)``) and ``xs`` (``(B_t, K)`` arrays, batch sizes not
    increasing) and return their layout and the number of labels ``K``."""
    steps = _sequence(fname, "xs", xs)
    cost_shape = shape_of(cost, fname, "cost")
    if len(cost_shape) != 2 or cost_shape[0] != cost_shape[1]:
        raise ShapeError(f"{fname}: cost must be a square (K, K) matrix of transition costs, got shape {cost_shape}")
    n_label = cost_shape[0]
    sizes: list[int] = []
    for t, x in enumerate(steps):
        shape = shape_of(x, fname, f"xs[{t}]")
        if len(shape) != 2 or shape[1] != n_label:
            raise ShapeError(f"{fname}: xs[{t}] must have shape (B, {n_label}) (K = cost.shape[0] labels), "
                             f"got shape {shape}")
        if shape[0] < 1 or (sizes and shape[0] > sizes[-1]):
            raise ShapeError(f"{fname}: the batch sizes of xs must not increase and be at least 1 (sequences "
                             f"sorted by length, longest first), but xs[{t}] has {shape[0]} rows after "
                             f"{sizes[-1] if sizes else 'none'}")
        sizes.append(shape[0])
    return Layout(tuple(sizes)), n_label


def check_labels(fname: str, ys: object, layout: Layout, n_label: int) -> Array:
    """Check ``ys`` (one integer label array ``(B_t,)`` per time step, each label in
    ``[0, K)``) and return them concatenated like ``xs``."""
    steps = _sequence(fname, "ys", ys)
    if len(steps) != layout.steps:
        raise ShapeError(f"{fname}: ys has {len(steps)} time steps but xs has {layout.steps}")
    arrays: list[Array] = []
    for t, (y, n) in enumerate(zip(steps, layout.batch_sizes)):
        a = array_of(fname, f"ys[{t}]", y)
        check_int_labels(fname, a, f"ys[{t}]")
        if tuple(a.shape) != (n,):
            raise ShapeError(f"{fname}: ys[{t}] must have shape ({n},) (one label per row of xs[{t}]), "
                             f"got shape {tuple(a.shape)}")
        check_label_values(fname, a, 0, n_label, None, f"ys[{t}]")
        arrays.append(a)
    if len(arrays) == 1:
        return arrays[0]
    devices = {backend.is_cupy_array(a) and getattr(a.device, "id", 0) for a in arrays}
    if len(devices) > 1:
        raise DeviceMismatchError(f"{fname}: the arrays of ys are on different devices")
    return backend.namespace_of(arrays[0]).concatenate(arrays, axis=0)


def joined(fname: str, xs: Sequence[VariableLike]) -> VariableLike:
    """The time steps concatenated along the batch axis (``F.concat``, so each step
    gets its slice of the gradient); one step is passed as it is."""
    if len(xs) == 1:
        return xs[0]
    dtypes = {x.dtype for x in xs}
    if len(dtypes) > 1:
        raise DTypeError(f"{fname}: every xs[t] must have one dtype, got {sorted(str(d) for d in dtypes)}")
    return concat(list(xs), axis=0)


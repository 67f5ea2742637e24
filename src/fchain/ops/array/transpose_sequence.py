"""transpose_sequence(xs): a list of sequences sorted by decreasing length turned
into the list of their time steps (Chainer's transposed layout), and back.

``xs[i]`` has ``L_i`` rows (``L_0 >= L_1 >= ...``); output ``t`` stacks row ``t`` of
every sequence longer than ``t``: ``B_t`` rows.  Applied to its own output it gives
``xs`` back.  Forward: the inputs joined once, their rows gathered in time-major
order (an index map computed with ``xp``: no loop over rows) and split by step.
VJP: the same transposition of the output gradients (plain ``xp``, so double backprop
differentiates it again).  Residuals: the index map back (made by the forward on
the arrays' device).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, sequence_arg
from fchain.ops.array._sequences import batch_sizes, sequence_shapes, time_major_rows
from fchain.types import Array, ArrayNamespace

__all__ = ["TRANSPOSE_SEQUENCE", "TransposeSequenceParams", "transpose_sequence"]

_NAME = "transpose_sequence"


@dataclass(frozen=True, slots=True)
class TransposeSequenceParams:
    """The input sequences' lengths and the output steps' batch sizes."""

    lengths: tuple[int, ...]
    sizes: tuple[int, ...]


def _transpose(xp: ArrayNamespace, arrays: Inputs, rows: Array, sizes: tuple[int, ...]) -> Inputs:
    """``arrays`` joined, their rows taken in the order ``rows`` and cut into pieces
    of ``sizes`` rows."""
    joined = arrays[0] if len(arrays) == 1 else xp.concatenate(arrays, axis=0)
    picked = joined[rows]
    cuts, total = [], 0
    for n in sizes[:-1]:
        total += n
        cuts.append(total)
    return tuple(xp.split(picked, cuts, axis=0))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: TransposeSequenceParams) -> Forwarded:
    back = time_major_rows(xp, p.sizes)
    return _transpose(xp, inputs, time_major_rows(xp, p.lengths), p.sizes), (back,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: TransposeSequenceParams) -> Grads:
    return _transpose(xp, grads, residuals[0], p.lengths)


def _sample(draw: Draw) -> Case:
    unit = draw.shape(min_dims=0, max_dims=2, max_side=3)
    lengths = sorted((draw.integer(1, 4) for _ in range(draw.integer(1, 4))), reverse=True)
    xs = tuple(draw.floats((n,) + unit) for n in lengths)
    return Case(xs, lambda *vs: transpose_sequence(list(vs)))


TRANSPOSE_SEQUENCE: MultiOutputOp[TransposeSequenceParams] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=(), float_inputs=(), broadcasts=False))


def transpose_sequence(xs: Iterable[VariableLike]) -> tuple[Variable, ...]:
    """The time steps of the sequences ``xs`` (sorted by decreasing length): output
    ``t`` holds step ``t`` of every sequence longer than ``t``.  ``()`` for no
    sequences (as Chainer)."""
    seqs = sequence_arg(_NAME, xs)
    if not seqs:
        return ()
    shapes = sequence_shapes(_NAME, seqs)
    lengths = tuple(s[0] for s in shapes)
    for i in range(1, len(lengths)):
        if lengths[i] > lengths[i - 1]:
            raise ShapeError(f"{_NAME}: the sequences must be sorted by decreasing length, but xs[{i}] has "
                             f"{lengths[i]} steps and xs[{i - 1}] {lengths[i - 1]}")
    if lengths[0] == 0:
        return ()
    return apply(TRANSPOSE_SEQUENCE, seqs, TransposeSequenceParams(lengths, batch_sizes(lengths)))

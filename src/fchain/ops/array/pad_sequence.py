"""pad_sequence(xs, length=None, padding=0): the sequences ``xs`` (any lengths, any
order) padded along axis 0 to one length and stacked into ``(len(xs), length, ...)``.

``length`` defaults to the longest sequence; the padding positions hold ``padding``
(cast to the dtype of ``xs``, which may be an integer one: label sequences are
padded with -1).  Forward: the sequences joined once and scattered into the padded
array at flat positions computed with ``xp`` (no loop over the sequences).  VJP: the
same positions gathered from ``gy`` and split back into the sequences (plain ``xp``,
so double backprop differentiates it again).  Residuals: the positions (an integer
array, made once by the forward on the arrays' device).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, real_arg, sequence_arg
from fchain.ops.array._sequences import sequence_shapes
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["PAD_SEQUENCE", "PadSequenceParams", "pad_sequence"]

_NAME = "pad_sequence"


@dataclass(frozen=True, slots=True)
class PadSequenceParams:
    """The sequences' ``lengths``, the padded ``length``, the ``padding`` value and
    the shape of one step (``unit``)."""

    lengths: tuple[int, ...]
    length: int
    padding: float
    unit: Shape


def _positions(xp: ArrayNamespace, p: PadSequenceParams) -> Array:
    """The flat row (of ``(n * length, ...)``) of every step, batch-major."""
    n = len(p.lengths)
    grid = xp.reshape(xp.arange(n * p.length), (n, p.length))
    return grid[xp.reshape(xp.arange(p.length), (1, p.length)) < xp.reshape(xp.asarray(list(p.lengths)), (n, 1))]


def _offsets(lengths: tuple[int, ...]) -> list[int]:
    out, total = [], 0
    for n in lengths[:-1]:
        total += n
        out.append(total)
    return out


def _forward(xp: ArrayNamespace, inputs: Inputs, p: PadSequenceParams) -> Forwarded:
    n = len(p.lengths)
    y = xp.full((n * p.length,) + p.unit, p.padding, dtype=inputs[0].dtype)
    positions = _positions(xp, p)
    y[positions] = inputs[0] if n == 1 else xp.concatenate(inputs, axis=0)
    return (xp.reshape(y, (n, p.length) + p.unit),), (positions,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: PadSequenceParams) -> Grads:
    n = len(p.lengths)
    flat = xp.reshape(grads[0], (n * p.length,) + p.unit)[residuals[0]]
    return tuple(xp.split(flat, _offsets(p.lengths), axis=0))


def _sample(draw: Draw) -> Case:
    unit = draw.shape(min_dims=0, max_dims=2, max_side=3)
    lengths = [draw.integer(0, 3) for _ in range(draw.integer(1, 3))]
    lengths[0] = max(lengths[0], 1)
    length = max(lengths) + draw.choice([0, 0, 1])
    padding = draw.choice([0.0, -1.0])
    xs = tuple(draw.floats((n,) + unit) for n in lengths)
    return Case(xs, lambda *vs: pad_sequence(list(vs), length=length, padding=padding))


PAD_SEQUENCE: OpDef[PadSequenceParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=(), float_inputs=(), broadcasts=False))


def pad_sequence(xs: Iterable[VariableLike], length: int | None = None,
                 padding: float = 0) -> Variable:
    """The sequences ``xs`` (arrays ``(L_i, ...)``, one dtype and one shape after axis
    0) padded with ``padding`` to ``length`` (default: the longest ``L_i``) and
    stacked: ``(len(xs), length, ...)``."""
    seqs = sequence_arg(_NAME, xs)
    if not seqs:
        raise ValueError(f"{_NAME}: xs is empty; give at least one sequence")
    shapes = sequence_shapes(_NAME, seqs)
    lengths = tuple(s[0] for s in shapes)
    if length is None:
        length = max(lengths)
    else:
        length = length if type(length) is int else int_arg(_NAME, "length", length)
        if length < max(lengths):
            raise ShapeError(f"{_NAME}: length={length} is shorter than the longest sequence "
                             f"({max(lengths)} steps)")
    if type(padding) is not float:
        padding = real_arg(_NAME, "padding", padding)
    return apply(PAD_SEQUENCE, seqs, PadSequenceParams(lengths, length, padding, shapes[0][1:]))

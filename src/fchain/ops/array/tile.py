"""tile(x, reps): x repeated ``reps[i]`` times along each axis, as numpy's ``tile``.

When ``len(reps) > x.ndim`` x is read with leading axes of length 1; when it is
shorter, ``reps`` is read with leading 1s.  VJP: ``gy`` read as
``(reps[0], n[0], reps[1], n[1], ...)`` and summed over the repetition axes
(Chainer's order), then reshaped to x's shape: ``xp.reshape`` and ``xp.sum``, so
double backprop differentiates it again.  Residuals: none.  The second-order
namespace's ``tile`` is this op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["TILE", "TileParams", "tile"]


@dataclass(frozen=True, slots=True)
class TileParams:
    """``reps``: one count per axis of the output; ``padded``: x's shape with leading
    1s to as many axes; ``in_shape``: x's own shape."""

    reps: tuple[int, ...]
    padded: Shape
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: TileParams) -> Forwarded:
    return (xp.tile(inputs[0], p.reps),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: TileParams) -> Grads:
    interleaved = tuple(n for pair in zip(p.reps, p.padded) for n in pair)
    summed = xp.sum(xp.reshape(grads[0], interleaved), axis=tuple(range(0, 2 * len(p.reps), 2)),
                    keepdims=False)
    return (summed if p.padded == p.in_shape else xp.reshape(summed, p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(max_dims=3, max_side=3)
    reps = tuple(draw.integer(1, 3) for _ in range(draw.integer(0, 3)))
    if len(reps) == 1 and draw.boolean():
        return Case((draw.floats(shape),), lambda x: tile(x, reps[0]))
    return Case((draw.floats(shape),), lambda x: tile(x, reps))


TILE: OpDef[TileParams] = register(OpDef(
    "tile", _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def tile(x: VariableLike, reps: int | Sequence[int]) -> Variable:
    """Repeat ``x`` ``reps[i]`` times along axis ``i`` (an int repeats the last axis).

    The output has ``max(len(reps), x.ndim)`` dimensions.
    """
    shape = shape_of(x, "tile")
    counts = shape_arg("tile", "reps", reps)
    if any(n < 0 for n in counts):
        raise ValueError(f"tile: every entry of reps must be zero or larger, got {counts}")
    ndim = max(len(counts), len(shape))
    full = (1,) * (ndim - len(counts)) + counts
    padded = (1,) * (ndim - len(shape)) + shape
    return apply(TILE, (x,), TileParams(full, padded, shape))

"""transpose(x, axes=None).  VJP: gy transposed by the inverse permutation."""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_arg, shape_of
from fchain.types import ArrayNamespace

__all__ = ["TRANSPOSE", "transpose"]


def _forward(xp: ArrayNamespace, inputs: Inputs, axes: tuple[int, ...]) -> Forwarded:
    return (xp.transpose(inputs[0], axes),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, axes: tuple[int, ...]) -> Grads:
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a] = i
    return (xp.transpose(grads[0], inverse),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    order = list(range(len(shape)))
    perm = [order.pop(draw.integer(0, len(order) - 1)) for _ in range(len(shape))]
    axes = tuple(perm) if draw.boolean() else None
    return Case((draw.floats(shape),), lambda x: transpose(x, axes))


TRANSPOSE: OpDef[tuple[int, ...]] = register(
    OpDef("transpose", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def transpose(x: VariableLike, axes: Sequence[int] | None = None) -> Variable:
    """Permute the axes (reverse them when ``axes`` is None)."""
    ndim = len(shape_of(x, "transpose"))
    if axes is None:
        perm = tuple(range(ndim - 1, -1, -1))
    else:
        given = shape_arg("transpose", "axes", axes)
        perm = tuple(a % ndim for a in given) if ndim else given
        if sorted(perm) != list(range(ndim)) or any(not -ndim <= a < ndim for a in given):
            raise ValueError(f"transpose: axes {given} are not a permutation of {ndim} axes")
    return apply(TRANSPOSE, (x,), perm)

"""maxout(x, pool_size, axis=1): the maximum over groups of ``pool_size`` entries.

Axis ``axis`` of ``x`` (length ``M * pool_size``) is read as ``(M, pool_size)`` and
the maximum is taken over the ``pool_size`` entries of each group, so the output
has length ``M`` there: Chainer's ``reshape`` then ``max``, as one op.

VJP: ``gy`` sent to the entries equal to their group's maximum (the mask
``x == y``, read in the grouped shape).  Residuals: (x, y).

Convention at ties (Chainer's ``F.max``, which Chainer's maxout calls): every entry
tied for its group's maximum receives the whole gradient.  The mask carries no
gradient, so the backward is linear in ``gy`` and differentiable again.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["MAXOUT", "MaxoutParams", "maxout"]


@dataclass(frozen=True, slots=True)
class MaxoutParams:
    """``grouped``: x's shape with ``axis`` split into ``(M, pool_size)``; the max is
    taken over ``axis + 1`` of it.  ``in_shape``: x's shape."""

    axis: int
    grouped: Shape
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: MaxoutParams) -> Forwarded:
    x = inputs[0]
    y = xp.max(xp.reshape(x, p.grouped), axis=p.axis + 1, keepdims=False)
    return (y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MaxoutParams) -> Grads:
    x, y = residuals
    hit = xp.equal(xp.reshape(x, p.grouped), xp.expand_dims(y, p.axis + 1))
    gx = xp.multiply(xp.broadcast_to(xp.expand_dims(grads[0], p.axis + 1), p.grouped), hit)
    return (xp.reshape(gx, p.in_shape),)


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(min_dims=1, max_dims=3, max_side=3))
    axis = draw.integer(0, len(shape) - 1)
    pool_size = draw.integer(1, 3)
    shape[axis] *= pool_size
    return Case((draw.distinct(tuple(shape)),), lambda x: maxout(x, pool_size, axis))


MAXOUT: OpDef[MaxoutParams] = register(OpDef(
    "maxout", _forward, _vjp,
    GradSpec(_sample, conventions=("ties: every entry tied for its group's maximum gets the whole gradient",)),
    broadcasts=False))


def maxout(x: VariableLike, pool_size: int, axis: int = 1) -> Variable:
    """Maxout: split axis ``axis`` (length ``M * pool_size``) into ``M`` groups of
    ``pool_size`` and keep each group's maximum.

    The output has ``x``'s shape with ``M`` in place of ``M * pool_size``.
    """
    shape = shape_of(x, "maxout")
    if type(pool_size) is not int:
        pool_size = int_arg("maxout", "pool_size", pool_size)
    if type(axis) is not int:
        axis = int_arg("maxout", "axis", axis)
    if pool_size <= 0:
        raise ValueError(f"maxout: pool_size must be a positive int, got {pool_size}")
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise ShapeError(f"maxout: axis {axis} is out of range for x of shape {shape} ({ndim} dimensions)")
    axis %= ndim
    if shape[axis] % pool_size:
        raise ShapeError(
            f"maxout: x.shape[{axis}] = {shape[axis]} is not a multiple of pool_size = {pool_size} "
            f"(x has shape {shape})")
    grouped = shape[:axis] + (shape[axis] // pool_size, pool_size) + shape[axis + 1:]
    return apply(MAXOUT, (x,), MaxoutParams(axis, grouped, shape))

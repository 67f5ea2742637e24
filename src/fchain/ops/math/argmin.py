"""argmin(x, axis=None): the index of the smallest element, as an int32 Variable.

Not differentiable: the output is an integer index, piecewise constant in ``x``, so
its gradient is zero almost everywhere and undefined at ties; the vjp returns
``None`` and no gradient reaches ``x``.  Ties give the first index, as numpy.
The dtype is int32 and the input must be floating point, as in Chainer.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, NotDifferentiable
from fchain.facade.apply import apply1
from fchain.facade.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, normalize_axes, shape_of
from fchain.types import ArrayNamespace

__all__ = ["ARGMIN", "ArgminParams", "argmin"]


@dataclass(frozen=True, slots=True)
class ArgminParams:
    axis: int | None


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ArgminParams) -> Forwarded:
    x = inputs[0]
    if p.axis is None:
        index = xp.argmin(xp.reshape(x, (-1,)), axis=0)
    else:
        index = xp.argmin(x, axis=p.axis)
    return (xp.asarray(index, dtype=xp.int32),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ArgminParams) -> Grads:
    return (None,)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.choice([None, *range(-len(shape), len(shape))])
    return Case((draw.floats(shape),), lambda x: argmin(x, axis=axis))


ARGMIN: OpDef[ArgminParams] = register(OpDef(
    "argmin", _forward, _vjp,
    NotDifferentiable("an integer index is piecewise constant in x: no useful gradient", _sample)))


def argmin(x: VariableLike, axis: int | None = None) -> Variable:
    """Index of the smallest element over ``axis`` (of the flattened array by default).

    Returns an int32 Variable that carries no gradient; ties give the first index.
    """
    if axis is not None and not isinstance(axis, int):
        raise TypeError(f"argmin: axis must be None or an int, got {axis!r}")
    shape = shape_of(x)
    axes = normalize_axes("argmin", axis, len(shape))
    return apply1(ARGMIN, (x,), ArgminParams(None if axes is None else axes[0]))

"""argmax(x, axis=None): the index of the largest element, as an int32 Variable.

Not differentiable: the output is an integer index, piecewise constant in ``x``, so
its gradient is zero almost everywhere and undefined at ties; the vjp returns
``None`` and no gradient reaches ``x``.  Ties give the first index, as numpy.
The dtype is int32 and the input must be floating point, as in Chainer.  The
forward, the argument check and the spec's sampling are shared with ``argmin``
(``fchain.ops.math._minmax``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, NotDifferentiable
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.math._minmax import draw_index_case, index_axis, index_forward
from fchain.types import ArrayNamespace

__all__ = ["ARGMAX", "ArgmaxParams", "argmax"]


@dataclass(frozen=True, slots=True)
class ArgmaxParams:
    """The non-negative axis to search along, or ``None`` for the flattened array."""

    axis: int | None


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ArgmaxParams) -> Forwarded:
    return index_forward(xp.argmax, xp, inputs[0], p.axis)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ArgmaxParams) -> Grads:
    return (None,)


def _sample(draw: Draw) -> Case:
    return draw_index_case(draw, argmax)


ARGMAX: OpDef[ArgmaxParams] = register(OpDef(
    "argmax", _forward, _vjp,
    NotDifferentiable("an integer index is piecewise constant in x: no useful gradient", _sample)))


def argmax(x: VariableLike, axis: int | None = None) -> Variable:
    """Index of the largest element over ``axis`` (of the flattened array by default).

    Returns an int32 Variable that carries no gradient; ties give the first index.
    """
    return apply(ARGMAX, (x,), ArgmaxParams(index_axis("argmax", x, axis)))

"""min(x, axis=None, keepdims=False): the minimum over some axes.

VJP: gy, broadcast back to x's shape, times the mask ``x == y`` (y the minimum,
with the reduced axes kept).  Residuals: (x, y), the input and the output.

Convention at ties (Chainer's ``F.min``): every element equal to the minimum
receives the *whole* output gradient: it is neither split between them nor given
to the first one only.  The mask carries no gradient, so the backward is linear in
``gy`` and differentiable again.  The rule and the spec's sampling are shared with
``max`` (``fchain.ops.math._minmax``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Inputs, VariableLike, bool_arg, normalize_axes, shape_of
from fchain.ops.math._minmax import ExtremumParams, draw_extremum_case, extremum_vjp
from fchain.types import ArrayNamespace

__all__ = ["MIN", "MinParams", "min"]


@dataclass(frozen=True, slots=True)
class MinParams(ExtremumParams):
    """Parameters of ``min``: the reduced axes, ``keepdims`` and the input's shape."""


def _forward(xp: ArrayNamespace, inputs: Inputs, p: MinParams) -> Forwarded:
    x = inputs[0]
    y = xp.min(x, axis=p.axis, keepdims=p.keepdims)
    return (y,), (x, y)


def _sample(draw: Draw) -> Case:
    return draw_extremum_case(draw, min)


MIN: OpDef[MinParams] = register(OpDef(
    "min", _forward, extremum_vjp,
    GradSpec(_sample, conventions=("ties: every tied element gets the whole gradient",))))


def min(x: VariableLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
    """The minimum of the elements over ``axis`` (all of them by default).

    The gradient goes to the position of the minimum; where several elements tie
    for it, each of them receives the whole gradient (Chainer's convention).
    """
    shape = shape_of(x, "min")
    if type(keepdims) is not bool:
        keepdims = bool_arg("min", "keepdims", keepdims)
    return apply(MIN, (x,), MinParams(normalize_axes("min", axis, len(shape)), keepdims, shape))

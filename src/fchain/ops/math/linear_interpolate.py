"""linear_interpolate(p, x, y) = ``p * x + (1 - p) * y``, elementwise (Chainer's
``F.linear_interpolate``).  Residuals: the inputs.

``p``, ``x`` and ``y`` share one shape and one floating dtype, as Chainer requires.
VJP, in Chainer's order of operations (so the gradients are its bits):
``gp = gy * (x - y)``, ``gx = p * gy``, ``gy_y = gy - p * gy``.  Written with array
operators only, so the same rule differentiates again.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.types import ArrayNamespace

__all__ = ["LINEAR_INTERPOLATE", "linear_interpolate"]

_NAME = "linear_interpolate"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    p, x, y = inputs
    return (p * x + (1 - p) * y,), (p, x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    p, x, y = residuals
    g = grads[0]
    pg = p * g
    return g * (x - y), pg, g - pg


def _check(arrays: Inputs, params: None) -> None:
    p, x, y = arrays
    for name, a in (("x", x), ("y", y)):
        if a.shape != p.shape:
            raise ShapeError(f"{_NAME}: {name} has shape {tuple(a.shape)} but p has {tuple(p.shape)}; "
                             "they must be equal")
    return params


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    return Case((draw.floats(shape, 0.0, 1.0), draw.floats(shape), draw.floats(shape)), linear_interpolate)


LINEAR_INTERPOLATE: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("p", "x", "y"), check=_check,
    float_inputs=(0, 1, 2), broadcasts=False))


def linear_interpolate(p: VariableLike, x: VariableLike, y: VariableLike) -> Variable:
    """``p * x + (1 - p) * y``; a ``ShapeError`` or ``DTypeError`` unless ``p``,
    ``x`` and ``y`` have one shape and one floating dtype."""
    return apply(LINEAR_INTERPOLATE, (p, x, y), None)

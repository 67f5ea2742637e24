"""mean_squared_error(x0, x1) = sum((x0 - x1) ** 2) / size (not halved).

VJP: ``gx0 = (gy * (x0 - x1)) * (2 / size)``, ``gx1 = -gx0`` (Chainer's order, the
coefficient rounded once to the inputs' dtype).  Residuals: the inputs
themselves (the difference is recomputed in the vjp, so double backprop sees it).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_of
from fchain.types import ArrayNamespace

__all__ = ["MEAN_SQUARED_ERROR", "mean_squared_error"]

_NAME = "mean_squared_error"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x0, x1 = inputs
    d = xp.reshape(x0 - x1, -1)
    return (xp.dot(d, d) / max(d.size, 1),), (x0, x1)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x0, x1 = residuals
    size = 1
    for n in x0.shape:
        size *= n
    gx0 = (grads[0] * (x0 - x1)) * (2.0 / max(size, 1))
    return gx0, -gx0


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    return Case((draw.floats(shape), draw.floats(shape)), mean_squared_error)


MEAN_SQUARED_ERROR: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x0", "x1"), float_inputs=(0, 1)))


def mean_squared_error(x0: VariableLike, x1: VariableLike) -> Variable:
    """Mean of the squared elementwise differences of ``x0`` and ``x1`` (same shape).

    >>> import numpy as np
    >>> float(mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0])).array)
    2.5
    """
    s0, s1 = shape_of(x0, "mean_squared_error", "x0"), shape_of(x1, "mean_squared_error", "x1")
    if s0 != s1:
        raise ShapeError(f"{_NAME}: x1 has shape {s1} but x0 has shape {s0}; they must be equal")
    return apply(MEAN_SQUARED_ERROR, (x0, x1), None)

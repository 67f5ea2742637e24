"""mean_absolute_error(x0, x1) = sum(|x0 - x1|) / size.

VJP: ``gx0 = gy * sign(x0 - x1) / size``, ``gx1 = -gx0``.  Convention at the kink:
the gradient is 0 where ``x0 == x1`` (``sign(0) = 0``, as Chainer).  Residuals: the
difference ``x0 - x1``.  It is derived, so double backprop treats it as a constant,
which is exact here: it is only used through ``sign``, whose derivative is 0.
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

__all__ = ["MEAN_ABSOLUTE_ERROR", "mean_absolute_error"]

_NAME = "mean_absolute_error"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x0, x1 = inputs
    d = x0 - x1
    return (xp.sum(xp.absolute(d), keepdims=False) / max(d.size, 1),), (d,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    d = residuals[0]
    gx0 = (grads[0] * (1.0 / max(d.size, 1))) * xp.sign(d)
    return gx0, -gx0


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x0 = draw.floats(shape)
    x1 = x0 - draw.floats(shape, kinks=(0.0,))
    return Case((x0, x1), mean_absolute_error)


MEAN_ABSOLUTE_ERROR: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample, conventions=("d/dx0 |x0 - x1| = 0 at x0 == x1",)),
    arg_names=("x0", "x1"), float_inputs=(0, 1)))


def mean_absolute_error(x0: VariableLike, x1: VariableLike) -> Variable:
    """Mean of the absolute elementwise differences of ``x0`` and ``x1`` (same shape).

    >>> import numpy as np
    >>> float(mean_absolute_error(np.array([1.0, 2.0, 3.0]), np.zeros(3)).array)
    2.0
    """
    s0, s1 = shape_of(x0, "mean_absolute_error", "x0"), shape_of(x1, "mean_absolute_error", "x1")
    if s0 != s1:
        raise ShapeError(f"{_NAME}: x1 has shape {s1} but x0 has shape {s0}; they must be equal")
    return apply(MEAN_ABSOLUTE_ERROR, (x0, x1), None)

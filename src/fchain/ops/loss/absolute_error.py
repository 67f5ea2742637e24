"""absolute_error(x0, x1) = |x0 - x1|, elementwise (no reduction).

VJP: ``gx0 = gy * sign(x0 - x1)``, ``gx1 = -gx0`` (Chainer's order).  Convention at
the kink: the gradient is 0 where ``x0 == x1`` (``sign(0) = 0``, as Chainer).
Residuals: the difference ``x0 - x1``.  It is derived, so double backprop treats it
as a constant, which is exact here: it is only used through ``sign``, whose
derivative is 0 (the gradient is linear in ``gy``, and that is differentiated).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.loss._checks import check_same_shape
from fchain.types import Array, ArrayNamespace

__all__ = ["ABSOLUTE_ERROR", "absolute_error"]

_NAME = "absolute_error"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x0, x1 = inputs
    d = x0 - x1
    return (xp.absolute(d),), (d,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    gx0 = grads[0] * xp.sign(residuals[0])
    return gx0, -gx0


def _check(arrays: tuple[Array, ...], params: None) -> None:
    check_same_shape(_NAME, "x0", arrays[0], "x1", arrays[1])
    return params


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    x0 = draw.floats(shape)
    x1 = x0 - draw.floats(shape, kinks=(0.0,))
    return Case((x0, x1), absolute_error)


ABSOLUTE_ERROR: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample, conventions=("d/dx0 |x0 - x1| = 0 at x0 == x1",)),
    arg_names=("x0", "x1"), float_inputs=(0, 1), check=_check, broadcasts=False))


def absolute_error(x0: VariableLike, x1: VariableLike) -> Variable:
    """Elementwise absolute error ``|x0 - x1|`` of two arrays of one shape and dtype.

    >>> import numpy as np
    >>> absolute_error(np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.0, 3.0])).array
    array([0.5, 2. , 0. ])
    """
    return apply(ABSOLUTE_ERROR, (x0, x1), None)

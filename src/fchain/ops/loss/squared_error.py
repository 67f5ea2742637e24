"""squared_error(x0, x1) = (x0 - x1) ** 2, elementwise (not halved, no reduction).

VJP: ``gx0 = (gy * 2) * (x0 - x1)``, ``gx1 = -gx0`` (Chainer's order of rounding).
Residuals: the inputs themselves (the difference is recomputed in the vjp, so
double backprop differentiates it).
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

__all__ = ["SQUARED_ERROR", "squared_error"]

_NAME = "squared_error"


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x0, x1 = inputs
    d = x0 - x1
    return (d * d,), (x0, x1)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x0, x1 = residuals
    gx0 = (grads[0] * 2.0) * (x0 - x1)
    return gx0, -gx0


def _check(arrays: tuple[Array, ...], params: None) -> None:
    check_same_shape(_NAME, "x0", arrays[0], "x1", arrays[1])
    return params


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    return Case((draw.floats(shape), draw.floats(shape)), squared_error)


SQUARED_ERROR: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x0", "x1"), float_inputs=(0, 1), check=_check,
    broadcasts=False))


def squared_error(x0: VariableLike, x1: VariableLike) -> Variable:
    """Elementwise squared error ``(x0 - x1) ** 2`` of two arrays of one shape and
    dtype (not scaled by 1/2).

    >>> import numpy as np
    >>> squared_error(np.arange(3.0), np.array([2.0, 1.0, 0.0])).array
    array([4., 0., 4.])
    """
    return apply(SQUARED_ERROR, (x0, x1), None)

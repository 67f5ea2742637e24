"""relu(x) = max(x, 0).  VJP: gy * (y > 0).  Residuals: (y,).

Convention at the kink: relu'(0) = 0 (the mask is ``y > 0``).
"""

from __future__ import annotations

from numpy import ndarray as _ndarray

from fchain.core.backend import NUMPY as _NUMPY
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.facade.apply import apply1, record
from fchain.facade.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["RELU", "relu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y = xp.maximum(inputs[0], 0.0)
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    gy = grads[0]
    if isinstance(gy, Variable):  # second order: the mask is a constant of gy's dtype
        return (gy * xp.greater(residuals[0], 0.0).astype(gy.dtype),)
    return (gy * (residuals[0] > 0),)  # arrays: a float times a bool mask keeps the float dtype


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), kinks=(0.0,)),), relu)


RELU: OpDef[None] = register(OpDef(
    "relu", _forward, _vjp, GradSpec(_sample, conventions=("relu'(0) = 0",)), broadcasts=False))


def relu(x: VariableLike) -> Variable:
    """Rectified linear unit, ``max(x, 0)``, elementwise."""
    if type(x) is Variable:
        a = x._data
        if type(a) is _ndarray and a.dtype.kind == "f":  # every MLP step: no checks left to do
            return record(RELU, None, _NUMPY, (a,), (x,), x.requires_grad)
    try:
        return apply1(RELU, (x,), None)
    except TypeError:
        name_arrays("relu", ("x", x))
        raise

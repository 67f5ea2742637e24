"""leaky_relu(x, slope=0.2) = x if x > 0 else slope * x, elementwise.

VJP: ``gy`` where ``x > 0``, ``slope * gy`` where ``x <= 0``.  Residuals: (x,).

Convention at the kink (Chainer 7's): leaky_relu'(0) = slope.  Chainer's
``_LeakyReLUGrad`` multiplies by the slope wherever its condition (``y``, or ``x``
for a negative slope) is ``<= 0``; at ``x = 0`` (and ``-0.0``) both are 0.  The
gradient factor is built from a comparison, a constant to double backprop, so the
second derivative is zero as it should be.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import ArrayNamespace

__all__ = ["LEAKY_RELU", "leaky_relu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, slope: float) -> Forwarded:
    x = inputs[0]
    return (xp.where(xp.less_equal(x, 0.0), x * slope, x),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, slope: float) -> Grads:
    gy = grads[0]
    negative = xp.less_equal(residuals[0], 0.0)
    factor = negative.astype(gy.dtype)  # exactly slope or 1, elementwise
    factor *= slope
    factor += xp.logical_not(negative)
    return (gy * factor,)


def _sample(draw: Draw) -> Case:
    slope = draw.choice([0.2, 0.01, 0.5, -0.3])
    return Case((draw.floats(draw.shape(), kinks=(0.0,)),), lambda x: leaky_relu(x, slope))


LEAKY_RELU: OpDef[float] = register(OpDef(
    "leaky_relu", _forward, _vjp, GradSpec(_sample, conventions=("leaky_relu'(0) = slope",))))


def leaky_relu(x: VariableLike, slope: float = 0.2) -> Variable:
    """Leaky rectified linear unit: ``x`` for ``x > 0``, ``slope * x`` for ``x <= 0``.

    The gradient at ``x = 0`` is ``slope``, as in Chainer 7.
    """
    if type(slope) is not float:
        slope = real_arg("leaky_relu", "slope", slope)
    try:
        return apply(LEAKY_RELU, (x,), slope)
    except TypeError:
        name_arrays("leaky_relu", ("x", x))
        raise

"""clipped_relu(x, z=20.0) = min(max(0, x), z), elementwise.

VJP: ``gy`` where ``0 < x < z``, zero elsewhere.  Residuals: (x,).

Convention at the kinks (Chainer 7's): clipped_relu'(0) = clipped_relu'(z) = 0.
Chainer's ``ClippedReLUGrad2`` multiplies ``gy`` by the strict comparisons
``0 < x`` and ``x < z``, so the gradient is zero at both ends (and a zero gradient
keeps the sign of ``gy``, as ``gy * False`` does).  The mask is a comparison, a
constant to double backprop: the second derivative is zero.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import ArrayNamespace

__all__ = ["CLIPPED_RELU", "clipped_relu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, z: float) -> Forwarded:
    x = inputs[0]
    # 0 first, as Chainer: ``maximum(0.0, -0.0)`` is +0.0
    return (xp.minimum(xp.maximum(0.0, x), z),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, z: float) -> Grads:
    x = residuals[0]
    inside = xp.logical_and(xp.greater(x, 0.0), xp.less(x, z))
    return (xp.multiply(grads[0], inside),)


def _sample(draw: Draw) -> Case:
    z = draw.choice([20.0, 1.0, 0.5])
    return Case((draw.floats(draw.shape(), low=-2.0, high=2.0, kinks=(0.0, z)),),
                lambda x: clipped_relu(x, z))


CLIPPED_RELU: OpDef[float] = register(OpDef(
    "clipped_relu", _forward, _vjp,
    GradSpec(_sample, conventions=("clipped_relu'(0) = 0", "clipped_relu'(z) = 0")),
    broadcasts=False))


def clipped_relu(x: VariableLike, z: float = 20.0) -> Variable:
    """Clipped rectifier ``min(max(0, x), z)``, elementwise; ``z`` must be positive.

    The gradient is 1 strictly inside ``(0, z)`` and 0 elsewhere, the two kinks
    included, as in Chainer 7.
    """
    if type(z) is not float:
        z = real_arg("clipped_relu", "z", z)
    if not z > 0.0:
        raise ValueError(f"clipped_relu: z must be positive, got {z!r}")
    try:
        return apply(CLIPPED_RELU, (x,), z)
    except TypeError:
        name_arrays("clipped_relu", ("x", x))
        raise

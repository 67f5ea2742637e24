"""crelu(x, axis=1): ``max(0, x)`` and ``max(0, -x)`` joined along ``axis``.

The output is twice as long as ``x`` on ``axis``: its first half is ``relu(x)``,
its second ``relu(-x)``.  VJP: with ``gy`` split back into those halves ``g1, g2``,
``g1 * (x > 0) - g2 * (x < 0)`` (Chainer's formula).  Residuals: (x,).

Convention at the kink (Chainer 7's): both halves have gradient 0 at ``x = 0``
(the masks are strict comparisons).  The masks are constants to double backprop,
so the second derivative is zero.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.types import ArrayNamespace

__all__ = ["CRELU", "crelu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, axis: int) -> Forwarded:
    x = inputs[0]
    # 0 first, as Chainer: ``maximum(0.0, -0.0)`` is +0.0
    return (xp.concatenate([xp.maximum(0.0, x), xp.maximum(0.0, -x)], axis=axis),), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, axis: int) -> Grads:
    x = residuals[0]
    former, latter = xp.split(grads[0], 2, axis=axis)
    return (xp.multiply(former, xp.greater(x, 0.0)) - xp.multiply(latter, xp.less(x, 0.0)),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    return Case((draw.floats(shape, kinks=(0.0,)),), lambda x: crelu(x, axis))


CRELU: OpDef[int] = register(OpDef(
    "crelu", _forward, _vjp, GradSpec(_sample, conventions=("crelu'(0) = 0 in both halves",)),
    broadcasts=False))


def crelu(x: VariableLike, axis: int = 1) -> Variable:
    """Concatenated ReLU: ``relu(x)`` and ``relu(-x)`` joined along ``axis``.

    The output has ``2 * x.shape[axis]`` entries along ``axis``.
    """
    shape = shape_of(x, "crelu")
    if type(axis) is not int:
        axis = int_arg("crelu", "axis", axis)
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise ShapeError(f"crelu: axis {axis} is out of range for x of shape {shape} ({ndim} dimensions)")
    return apply(CRELU, (x,), axis % ndim)

"""sigmoid(x) = 1 / (1 + exp(-x)), elementwise.  VJP: (gy * y) * (1 - y), Chainer's
order of operations.  Residuals: (y,).

The forward is computed as ``tanh(x / 2) / 2 + 1/2``, which equals the logistic
function and neither overflows nor warns for large ``|x|``.  The vjp reads only the
output, so double backprop differentiates through ``y``.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["SIGMOID", "sigmoid"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y = xp.tanh(inputs[0] * 0.5)
    y *= 0.5
    y += 0.5
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    y = residuals[0]
    return ((grads[0] * y) * (1.0 - y),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape(), low=-4.0, high=4.0),), sigmoid)


SIGMOID: OpDef[None] = register(OpDef("sigmoid", _forward, _vjp, GradSpec(_sample)))


def sigmoid(x: VariableLike) -> Variable:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise."""
    try:
        return apply(SIGMOID, (x,), None)
    except TypeError:
        name_arrays("sigmoid", ("x", x))
        raise

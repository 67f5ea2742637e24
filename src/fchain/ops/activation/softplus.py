"""softplus(x, beta=1.0) = log(1 + exp(beta * x)) / beta, elementwise.

Computed as ``(max(bx, 0) + log1p(exp(-|bx|))) / beta`` with ``bx = beta * x``: exact
for large ``|x|`` (``softplus(1000) == 1000``), no overflow and no warning.

VJP: ``gy * sigmoid(beta * x)``, written through the output as
``gy * (1 - exp(-beta * y)) = -gy * expm1(-beta * y)`` (since ``exp(beta * y) =
1 + exp(beta * x)``).  Residuals: (y,), so double backprop differentiates through
the output.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import ArrayNamespace

__all__ = ["SOFTPLUS", "softplus"]


def _forward(xp: ArrayNamespace, inputs: Inputs, beta: float) -> Forwarded:
    bx = inputs[0] * beta if beta != 1.0 else inputs[0]
    y = xp.log1p(xp.exp(-xp.absolute(bx)))
    y += xp.maximum(bx, 0.0)
    if beta != 1.0:
        y /= beta
    return (y,), (y,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, beta: float) -> Grads:
    y = residuals[0]
    return (-(grads[0] * xp.expm1(y * -beta)),)


def _sample(draw: Draw) -> Case:
    beta = draw.choice([1.0, 2.0, 0.5])
    return Case((draw.floats(draw.shape(), low=-4.0, high=4.0),), lambda x: softplus(x, beta))


SOFTPLUS: OpDef[float] = register(OpDef("softplus", _forward, _vjp, GradSpec(_sample)))


def softplus(x: VariableLike, beta: float = 1.0) -> Variable:
    """Softplus ``log(1 + exp(beta * x)) / beta``, elementwise (smooth relu)."""
    if type(beta) is not float:
        beta = real_arg("softplus", "beta", beta)
    if beta == 0.0:
        raise ValueError("softplus: beta must be non-zero, got 0.0")
    try:
        return apply(SOFTPLUS, (x,), beta)
    except TypeError:
        name_arrays("softplus", ("x", x))
        raise

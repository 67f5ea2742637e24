"""elu(x, alpha=1.0) = x if x > 0 else alpha * (exp(x) - 1), elementwise.

VJP: ``gy`` where ``x > 0``, ``gy * (y + alpha)`` (= ``gy * alpha * exp(x)``) where
``x <= 0``.  Residuals: (x, y): ``x`` only selects the branch, ``y`` carries the value,
so under double backprop the negative branch differentiates through the output.

Convention at the kink (Chainer 7's): elu'(0) = alpha.  Chainer's ``ELUGrad`` gives
``y + alpha`` wherever its condition (``y``, or ``x`` for a negative alpha) is
``<= 0``, and 1 only where it is ``> 0``; at ``x = 0`` (and ``-0.0``) ``y = 0``, so
the gradient there is ``alpha``.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import ArrayNamespace

__all__ = ["ELU", "elu"]


def _forward(xp: ArrayNamespace, inputs: Inputs, alpha: float) -> Forwarded:
    x = inputs[0]
    negative = xp.less_equal(x, 0.0)
    # expm1 of min(x, 0): no overflow warning for large positive x
    y = xp.where(negative, xp.expm1(xp.where(negative, x, 0.0)) * alpha, x)
    return (y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, alpha: float) -> Grads:
    x, y = residuals
    gy = grads[0]
    mask = xp.less_equal(x, 0.0)
    negative = mask.astype(gy.dtype)
    # negative * (y + alpha) + (1 - negative), the constant part computed exactly
    constant = negative * alpha
    constant += xp.logical_not(mask)
    return (gy * (y * negative + constant),)


def _sample(draw: Draw) -> Case:
    alpha = draw.choice([1.0, 0.5, 2.0])
    return Case((draw.floats(draw.shape(), low=-3.0, high=2.0, kinks=(0.0,)),),
                lambda x: elu(x, alpha))


ELU: OpDef[float] = register(OpDef(
    "elu", _forward, _vjp, GradSpec(_sample, conventions=("elu'(0) = alpha",))))


def elu(x: VariableLike, alpha: float = 1.0) -> Variable:
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` for ``x <= 0``.

    The gradient at ``x = 0`` is ``alpha``, as in Chainer 7.
    """
    if type(alpha) is not float:
        alpha = real_arg("elu", "alpha", alpha)
    try:
        return apply(ELU, (x,), alpha)
    except TypeError:
        name_arrays("elu", ("x", x))
        raise

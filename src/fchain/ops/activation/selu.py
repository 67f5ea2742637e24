"""selu(x, alpha=1.67326..., scale=1.05070...) = scale * elu(x, alpha), elementwise.

Chainer 7 computes ``scale * F.elu(x, alpha)``; this op takes the same steps in one
node: ``e = alpha * expm1(x)`` where ``x <= 0`` (else ``x``), then ``y = e * scale``.
VJP, Chainer's order of operations: ``(gy * scale) * f`` with the elu factor
``f = e + alpha`` where ``x <= 0`` and 1 elsewhere.  Residuals: (x,).  The vjp
recomputes ``e`` from ``x`` (one ``expm1``) rather than keeping it, because a
residual that depends on ``x`` must be an input or an output for double backprop
to reach it; the recomputation gives the forward's bits exactly.

Convention at the kink (Chainer 7's, through ``F.elu``): selu'(0) = scale * alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays, real_arg
from fchain.types import Array, ArrayNamespace

__all__ = ["SELU", "SeluParams", "selu"]

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


@dataclass(frozen=True, slots=True)
class SeluParams:
    alpha: float
    scale: float


def _elu(xp: ArrayNamespace, x: Array, negative: Array, alpha: float) -> Array:
    """``alpha * expm1(x)`` where ``negative``, ``x`` elsewhere (expm1 of ``min(x, 0)``:
    no overflow warning for large positive ``x``)."""
    return xp.where(negative, xp.expm1(xp.where(negative, x, 0.0)) * alpha, x)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SeluParams) -> Forwarded:
    x = inputs[0]
    return (_elu(xp, x, xp.less_equal(x, 0.0), p.alpha) * p.scale,), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SeluParams) -> Grads:
    x = residuals[0]
    gy = grads[0]
    mask = xp.less_equal(x, 0.0)
    negative = mask.astype(gy.dtype)
    # negative * (e + alpha) + (1 - negative), the constant part computed exactly
    constant = negative * p.alpha
    constant += xp.logical_not(mask)
    return ((gy * p.scale) * (_elu(xp, x, mask, p.alpha) * negative + constant),)


def _sample(draw: Draw) -> Case:
    alpha, scale = draw.choice([(_ALPHA, _SCALE), (1.0, 1.0), (0.5, 2.0)])
    return Case((draw.floats(draw.shape(), low=-3.0, high=2.0, kinks=(0.0,)),),
                lambda x: selu(x, alpha, scale))


SELU: OpDef[SeluParams] = register(OpDef(
    "selu", _forward, _vjp, GradSpec(_sample, conventions=("selu'(0) = scale * alpha",)),
    broadcasts=False))

_DEFAULT = SeluParams(_ALPHA, _SCALE)


def selu(x: VariableLike, alpha: float = _ALPHA, scale: float = _SCALE) -> Variable:
    """Scaled exponential linear unit: ``scale * x`` for ``x > 0``,
    ``scale * alpha * (exp(x) - 1)`` for ``x <= 0``.

    The gradient at ``x = 0`` is ``scale * alpha``, as in Chainer 7.
    """
    if alpha is _ALPHA and scale is _SCALE:
        params = _DEFAULT
    else:
        params = SeluParams(real_arg("selu", "alpha", alpha), real_arg("selu", "scale", scale))
    try:
        return apply(SELU, (x,), params)
    except TypeError:
        name_arrays("selu", ("x", x))
        raise

"""layer_normalization(x, gamma, beta, eps=1e-5): Chainer's layer normalization.

``x`` is ``(batch, units)``; each row is normalized by its own mean and (biased)
variance, then scaled and shifted per unit:
``y = (x - mu) / sqrt(var + eps) * gamma + beta``.  x, gamma and beta share a dtype
(as in Chainer).

Forward and VJP follow Chainer's steps and order of rounding (``mu``, ``x - mu``,
its square, ``var``, ``std = sqrt(var + eps)``, ``inv_std = 1 / std``); the VJP
recomputes them from ``x`` and walks back through them (``gbeta = sum(gy)``,
``ggamma = sum(gy * x_hat)``, then the gradients through ``inv_std``, ``var`` and
``mu``).  Residuals: the inputs ``x`` and ``gamma`` only, so the same rule, run on
the second-order namespace, is its own double backward (as Chainer's, whose
backward is made of differentiable functions).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, real_arg
from fchain.types import Array, ArrayNamespace

__all__ = ["LAYER_NORMALIZATION", "layer_normalization"]

_NAME = "layer_normalization"


def _statistics(xp: ArrayNamespace, x: Array, eps: float) -> tuple[Array, Array, Array, Array]:
    """``(x - mu, var, inv_std, x_hat)`` of each row, in Chainer's steps."""
    x_mu = x - xp.mean(x, axis=1, keepdims=True)
    var = xp.mean(xp.square(x_mu), axis=1, keepdims=True)
    inv_std = 1.0 / xp.sqrt(var + eps)
    return x_mu, var, inv_std, x_mu * inv_std


def _forward(xp: ArrayNamespace, inputs: Inputs, eps: float) -> Forwarded:
    x, gamma, beta = inputs
    y = _statistics(xp, x, eps)[3] * gamma
    y += beta
    return (y,), (x, gamma)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, eps: float) -> Grads:
    x, gamma = residuals
    gy = grads[0]
    x_mu, var, inv_std, x_hat = _statistics(xp, x, eps)
    g_beta = xp.sum(gy, axis=0, keepdims=False)
    g_gamma = xp.sum(gy * x_hat, axis=0, keepdims=False)
    g_x_hat = gy * gamma
    g_inv_std = xp.sum(g_x_hat * x_mu, axis=1, keepdims=True)
    g_x_mu_1 = g_x_hat * inv_std
    g_std = g_inv_std * (-1.0 / (var + eps))
    g_var = g_std * 0.5 * inv_std
    inv_n = 1.0 / x.shape[1]
    g_x_mu_2 = g_var * inv_n * 2 * x_mu
    g_x_1 = g_x_mu_1 + g_x_mu_2
    g_mu = xp.sum(g_x_1, axis=1, keepdims=True) * -1.0
    return g_x_1 + g_mu * inv_n, g_gamma, g_beta


def _check(arrays: Inputs, eps: float) -> float:
    x, gamma, beta = arrays
    if x.ndim != 2:
        raise ShapeError(f"{_NAME}: x must be 2-d (batch, units), got shape {tuple(x.shape)}")
    if tuple(gamma.shape) != (x.shape[1],):
        raise ShapeError(f"{_NAME}: gamma must have shape ({x.shape[1]},) (one per unit of x), "
                         f"got shape {tuple(gamma.shape)}")
    if tuple(beta.shape) != (x.shape[1],):
        raise ShapeError(f"{_NAME}: beta must have shape ({x.shape[1]},) (one per unit of x), "
                         f"got shape {tuple(beta.shape)}")
    return eps


def _sample(draw: Draw) -> Case:
    n, units = draw.integer(1, 4), draw.integer(2, 5)
    eps = draw.choice([1e-5, 0.1])
    return Case((draw.distinct((n, units), 0.3), draw.floats((units,), 0.5, 1.5), draw.floats((units,))),
                lambda x, g, b: layer_normalization(x, g, b, eps))


LAYER_NORMALIZATION: OpDef[float] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "gamma", "beta"), check=_check,
    float_inputs=(0, 1, 2), broadcasts=False))


def layer_normalization(x: VariableLike, gamma: VariableLike, beta: VariableLike, eps: float = 1e-5) -> Variable:
    """Normalize each row of ``x`` (``(batch, units)``) by its mean and variance,
    then scale by ``gamma`` and shift by ``beta`` (both ``(units,)``, x's dtype)."""
    if type(eps) is not float:
        eps = real_arg(_NAME, "eps", eps)
    return apply(LAYER_NORMALIZATION, (x, gamma, beta), eps)

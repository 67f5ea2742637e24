"""fixed_batch_normalization(x, gamma, beta, mean, var, eps=2e-5, axis=None): batch
normalization with given statistics (``L.BatchNormalization`` at test time).

``y = gamma * (x - mean) * inv_std + beta`` with ``inv_std = sqrt(1 / (var + eps))``
(Chainer's order: reciprocal, then square root), over the axes of
``batch_normalization`` (``_batch_axes``).  ``mean`` and ``var`` are inputs and get
gradients too.  Computed in the wider of x's and gamma's dtypes; ``y`` has x's.

VJP (Chainer's formulas, in its order of rounding), with ``x_hat`` recomputed from
the inputs: ``gx = gamma * inv_std * gy``, ``gbeta = sum(gy)``,
``ggamma = sum(x_hat * gy)``, ``gmean = -gamma * inv_std * gbeta``,
``gvar = -0.5 / (var + eps) * gamma * ggamma``.  Residuals: the inputs ``x``,
``gamma``, ``mean`` and ``var`` only, so the same rule, run on the second-order
namespace, differentiates its own backward (Chainer 7 has double backprop here).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, real_arg, shape_of
from fchain.ops.normalization._batch_axes import BatchAxes, batch_axes, draw_batch_axes
from fchain.ops.normalization._common import as_dtype, check_float_x, interm_dtype
from fchain.types import ArrayNamespace

__all__ = ["FIXED_BATCH_NORMALIZATION", "FixedBatchNormalizationParams", "fixed_batch_normalization"]

_NAME = "fixed_batch_normalization"


@dataclass(frozen=True, slots=True)
class FixedBatchNormalizationParams:
    """``axes``: how x and gamma line up; ``eps``: added to the variance."""

    axes: BatchAxes
    eps: float


def _forward(xp: ArrayNamespace, inputs: Inputs, p: FixedBatchNormalizationParams) -> Forwarded:
    x, gamma, beta, mean, var = inputs
    a = p.axes
    dtype = interm_dtype(x, gamma)
    inv_std = xp.sqrt(1.0 / (var + p.eps))
    x_hat = as_dtype(xp, x, dtype) - xp.reshape(as_dtype(xp, mean, dtype), a.bshape)
    x_hat *= xp.reshape(as_dtype(xp, inv_std, dtype), a.bshape)
    y = x_hat * xp.reshape(as_dtype(xp, gamma, dtype), a.bshape)
    y += xp.reshape(as_dtype(xp, beta, dtype), a.bshape)
    return (as_dtype(xp, y, x.dtype),), (x, gamma, mean, var)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: FixedBatchNormalizationParams) -> Grads:
    x, gamma, mean, var = residuals
    a = p.axes
    dtype = interm_dtype(x, gamma)
    gy = as_dtype(xp, grads[0], dtype)
    inv_var = 1.0 / (var + p.eps)
    inv_std = xp.sqrt(inv_var)
    gamma_over_std = gamma * inv_std
    x_hat = as_dtype(xp, x, dtype) - xp.reshape(as_dtype(xp, mean, dtype), a.bshape)
    x_hat *= xp.reshape(as_dtype(xp, inv_std, dtype), a.bshape)
    gx = xp.reshape(as_dtype(xp, gamma_over_std, dtype), a.bshape) * gy
    gbeta = as_dtype(xp, xp.reshape(xp.sum(gy, axis=a.axis, keepdims=True), a.gshape), gamma.dtype)
    ggamma = as_dtype(xp, xp.reshape(xp.sum(x_hat * gy, axis=a.axis, keepdims=True), a.gshape), gamma.dtype)
    gmean = -gamma_over_std * gbeta
    gvar = -0.5 * inv_var * (gamma * ggamma)
    return as_dtype(xp, gx, x.dtype), ggamma, gbeta, gmean, gvar


def _check(arrays: Inputs, p: FixedBatchNormalizationParams) -> FixedBatchNormalizationParams:
    check_float_x(_NAME, arrays[0])
    for name, a in zip(("beta", "mean", "var"), arrays[2:]):
        if tuple(a.shape) != p.axes.gshape:
            raise ShapeError(f"{_NAME}: {name} must have gamma's shape {p.axes.gshape}, got shape {tuple(a.shape)}")
    return p


def _sample(draw: Draw) -> Case:
    shape, g_shape, axis = draw_batch_axes(draw)
    inputs = (draw.floats(shape), draw.floats(g_shape, 0.5, 1.5), draw.floats(g_shape), draw.floats(g_shape),
              draw.floats(g_shape, 0.5, 2.0))
    eps = draw.choice([2e-5, 0.1])
    return Case(inputs, lambda x, g, b, m, v: fixed_batch_normalization(x, g, b, m, v, eps=eps, axis=axis))


FIXED_BATCH_NORMALIZATION: OpDef[FixedBatchNormalizationParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "gamma", "beta", "mean", "var"), check=_check,
    float_inputs=(1, 2, 3, 4), broadcasts=False))

def fixed_batch_normalization(x: VariableLike, gamma: VariableLike, beta: VariableLike, mean: VariableLike,
                              var: VariableLike, eps: float = 2e-5,
                              axis: int | tuple[int, ...] | None = None) -> Variable:
    """Batch normalization with the given ``mean`` and ``var`` instead of the batch's.

    Args:
        x: Input of shape ``(N, C, ...)`` (or any shape, with ``axis``).
        gamma, beta: Scale and shift, shaped as the axes of ``x`` that are not
            normalized over (by default ``x.shape[1:1 + gamma.ndim]``).
        mean, var: The statistics to normalize with, of gamma's shape and dtype
            (differentiable inputs, as in Chainer).
        eps: Added to ``var``.
        axis: The normalized axes (an int or an ascending tuple); ``None`` for axis
            0 and every axis after gamma's.

    Returns ``y`` of x's shape and dtype.
    """
    if type(eps) is not float:
        eps = real_arg(_NAME, "eps", eps)
    axes = batch_axes(_NAME, shape_of(x, _NAME), shape_of(gamma, _NAME, "gamma"), axis)
    params = FixedBatchNormalizationParams(axes, eps)
    return apply(FIXED_BATCH_NORMALIZATION, (x, gamma, beta, mean, var), params)

"""batch_renormalization(x, gamma, beta, rmax, dmax, eps=2e-5, running_mean=None,
running_var=None, decay=0.9, update_statistics=False): Chainer's batch
renormalization (training mode only, as in Chainer).

With the batch statistics over axis 0 and every axis after gamma's (``mean``,
biased ``var``, ``std = sqrt(var + eps)``) and the running ones
(``sigma = sqrt(running_var + eps)``):
``r = clip(std / sigma, 1 / rmax, rmax)``, ``d = clip((mean - running_mean) / sigma,
-dmax, dmax)``, ``x_hat = (x - mean) / std`` and ``y = gamma * (x_hat * r + d) + beta``.
``r`` and ``d`` are constants to the backward (the paper's stop-gradient).

Like ``batch_normalization``, the op returns ``y`` and the batch ``mean`` and
``var``; the running statistics are inputs (read to make ``r`` and ``d``, never
differentiated) and, with ``update_statistics=True``, the public function updates
them in place afterwards by Chainer's rule (``_common.update_running``).  Chainer
leaves them alone by default.

VJP (Chainer's, in its order of rounding): ``gbeta = sum(gy)``,
``ggamma = sum(gy * (x_hat * r + d))``, ``gx = r * gamma / std * (gy - (x_hat *
sum(gy * x_hat) + gbeta) / m)``.  Residuals: ``x_hat``, ``x_hat * r + d``,
``gamma``, ``std`` and ``r``.  Chainer 7 implements this function as an old-style
``Function``, without double backprop; so does fchain
(``double_differentiable=False``).  Mixed dtypes compute in the wider of x's and
gamma's (Chainer takes the statistics in gamma's).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.config import config, using_config
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, real_arg, shape_of
from fchain.ops.normalization._batch_axes import BatchAxes, batch_axes
from fchain.ops.normalization.fixed_batch_normalization import fixed_batch_normalization
from fchain.ops.normalization._common import (
    as_dtype,
    check_float_x,
    interm_dtype,
    moments,
    running_arrays,
    update_running,
)
from fchain.types import Array, ArrayNamespace

__all__ = ["BATCH_RENORMALIZATION", "BatchRenormalizationParams", "batch_renormalization", "fixed_batch_renormalization"]

_NAME = "batch_renormalization"


@dataclass(frozen=True, slots=True)
class BatchRenormalizationParams:
    """``axes``: how x and gamma line up; ``eps``: added to both variances;
    ``rmax``, ``dmax``: the clipping bounds of ``r`` and ``d``."""

    axes: BatchAxes
    eps: float
    rmax: float
    dmax: float


def _forward(xp: ArrayNamespace, inputs: Inputs, p: BatchRenormalizationParams) -> Forwarded:
    x, gamma, beta, running_mean, running_var = inputs
    a = p.axes
    dtype = interm_dtype(x, gamma)
    mean, var, x_hat = moments(xp, as_dtype(xp, x, dtype), a.axis)
    std = xp.sqrt(var + p.eps)
    sigma = xp.reshape(as_dtype(xp, xp.sqrt(running_var + p.eps), dtype), a.bshape)
    r = xp.clip(std / sigma, 1.0 / p.rmax, p.rmax)
    d = xp.clip((mean - xp.reshape(as_dtype(xp, running_mean, dtype), a.bshape)) / sigma, -p.dmax, p.dmax)
    x_hat /= std
    renormalized = x_hat * r + d
    y = xp.reshape(as_dtype(xp, gamma, dtype), a.bshape) * renormalized
    y += xp.reshape(as_dtype(xp, beta, dtype), a.bshape)
    return ((as_dtype(xp, y, x.dtype), xp.reshape(mean, a.gshape), xp.reshape(var, a.gshape)),
            (x_hat, renormalized, gamma, std, r))


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: BatchRenormalizationParams) -> Grads:
    x_hat, renormalized, gamma, std, r = residuals
    a = p.axes
    gy = as_dtype(xp, grads[0], x_hat.dtype)
    gbeta = xp.sum(gy, axis=a.axis, keepdims=True)
    ggamma = xp.sum(gy * renormalized, axis=a.axis, keepdims=True)
    gsigma = xp.sum(gy * x_hat, axis=a.axis, keepdims=True)
    scale = r * xp.reshape(as_dtype(xp, gamma, x_hat.dtype), a.bshape) / std
    t = x_hat * gsigma
    t += gbeta
    t /= a.m
    gx = scale * (gy - t)
    return (as_dtype(xp, gx, grads[0].dtype),
            as_dtype(xp, xp.reshape(ggamma, a.gshape), gamma.dtype),
            as_dtype(xp, xp.reshape(gbeta, a.gshape), gamma.dtype), None, None)


def _check(arrays: Inputs, p: BatchRenormalizationParams) -> BatchRenormalizationParams:
    check_float_x(_NAME, arrays[0])
    if tuple(arrays[2].shape) != p.axes.gshape:
        raise ShapeError(f"{_NAME}: beta must have gamma's shape {p.axes.gshape}, "
                         f"got shape {tuple(arrays[2].shape)}")
    return p


def _sample(draw: Draw) -> Case:
    """Running statistics far enough from the batch's that ``r`` and ``d`` sit at
    their bounds: only there is Chainer's gradient (``r``, ``d`` constant) the
    derivative of the forward, which the numerical check measures."""
    ndim = draw.integer(2, 4)
    shape = draw.shape(ndim, ndim, 1, 3)
    shape = (shape[0] + 1,) + shape[1:]
    g_ndim = draw.integer(1, ndim - 1)
    reduced = (0,) + tuple(range(g_ndim + 1, ndim))
    g_shape = shape[1:g_ndim + 1]
    x = draw.distinct(shape, 0.3)
    eps = 2e-5
    rmax, dmax = draw.choice([1.0, 1.5, 3.0]), draw.choice([0.0, 0.5, 2.0])
    std = (x.var(axis=reduced) + eps) ** 0.5
    sigma = std * (2.0 * rmax if draw.boolean() else 0.5 / rmax)
    sign = 1.0 if draw.boolean() else -1.0
    running_mean = x.mean(axis=reduced) + sign * (dmax + 1.0) * sigma
    running_var = sigma * sigma - eps
    update, decay = draw.boolean(), draw.choice([0.9, 0.5])
    return Case((x, draw.floats(g_shape, 0.5, 1.5), draw.floats(g_shape), running_mean, running_var),
                lambda x, g, b, rm, rv: batch_renormalization(
                    x, g, b, rmax, dmax, eps, running_mean=rm.array.copy(), running_var=rv.array.copy(),
                    decay=decay, update_statistics=update), check=(0, 1, 2))


BATCH_RENORMALIZATION: MultiOutputOp[BatchRenormalizationParams] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "gamma", "beta", "running_mean", "running_var"), check=_check, float_inputs=(1, 2, 3, 4),
    broadcasts=False, double_differentiable=False))


def batch_renormalization(x: VariableLike, gamma: VariableLike, beta: VariableLike, rmax: float, dmax: float,
                          eps: float = 2e-5, running_mean: Array | None = None, running_var: Array | None = None,
                          decay: float = 0.9, update_statistics: bool = False) -> Variable:
    """Batch renormalization, in training mode (``config.train`` must be True).

    Args:
        x: Input of shape ``(N, C, ...)``; the statistics are taken over axis 0 and
            every axis after the ``gamma.ndim`` axes that follow it.
        gamma, beta: Scale and shift, of shape ``x.shape[1:1 + gamma.ndim]``.
        rmax, dmax: ``r`` is clipped to ``[1 / rmax, rmax]``, ``d`` to ``[-dmax, dmax]``.
        eps: Added to the batch and the running variance.
        running_mean, running_var: Required: arrays of gamma's shape and dtype on
            x's device, from which ``r`` and ``d`` are made.
        decay: Weight of the old running statistics when they are updated.
        update_statistics: Update ``running_mean`` and ``running_var`` in place
            after the forward pass (as ``batch_normalization`` always does).

    Returns ``y`` of x's shape and dtype.  Double backprop is not available (nor in
    Chainer).
    """
    if running_mean is None:
        raise TypeError(f"{_NAME}: running_mean is required (r and d are made from the running statistics)")
    if running_var is None:
        raise TypeError(f"{_NAME}: running_var is required (r and d are made from the running statistics)")
    if not config.train:
        raise RuntimeError(f"{_NAME}: runs in training mode only (config.train is False), as in Chainer; at "
                           "test time use fixed_batch_normalization with the running statistics")
    eps = eps if type(eps) is float else real_arg(_NAME, "eps", eps)
    rmax = rmax if type(rmax) is float else real_arg(_NAME, "rmax", rmax)
    dmax = dmax if type(dmax) is float else real_arg(_NAME, "dmax", dmax)
    decay = decay if type(decay) is float else real_arg(_NAME, "decay", decay)
    if type(update_statistics) is not bool:
        update_statistics = bool_arg(_NAME, "update_statistics", update_statistics)
    axes = batch_axes(_NAME, shape_of(x, _NAME), shape_of(gamma, _NAME, "gamma"), None)
    running = running_arrays(_NAME, running_mean, running_var, axes.gshape, x)
    assert running is not None
    y, mean, var = apply(BATCH_RENORMALIZATION, (x, gamma, beta) + running,
                         BatchRenormalizationParams(axes, eps, rmax, dmax))
    if update_statistics:
        update_running(running, mean.array, var.array, decay, axes.m)
    return y


def fixed_batch_renormalization(x: VariableLike, gamma: VariableLike, beta: VariableLike, mean: VariableLike,
                                var: VariableLike, eps: float = 2e-5) -> Variable:
    """Chainer 7's deprecated name of ``fixed_batch_normalization`` (its test-time
    form is the same): warns with a ``DeprecationWarning`` as Chainer does, then
    normalizes ``x`` with the given ``mean`` and ``var``."""
    warnings.warn("fixed_batch_renormalization is deprecated. Use fixed_batch_normalization instead.",
                  DeprecationWarning, stacklevel=2)
    with using_config("train", False):
        return fixed_batch_normalization(x, gamma, beta, mean, var, eps)

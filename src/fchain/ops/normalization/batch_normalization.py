"""batch_normalization(x, gamma, beta, eps=2e-5, running_mean=None, running_var=None,
decay=0.9, axis=None): Chainer's batch normalization with batch statistics.

``y = gamma * (x - mean) / sqrt(var + eps) + beta``, the mean and (biased) variance
taken over ``axis`` (``fchain.ops.normalization._batch_axes``: by default axis 0 and
every axis after gamma's).  Computed in the wider of x's and gamma's dtypes (Chainer's
intermediate dtype); ``y`` has x's dtype.

The op has three outputs: ``y`` and the batch ``mean`` and ``var`` (gamma's shape).
The rule stays pure: the public function returns ``y`` and, when ``running_mean`` and
``running_var`` are given, updates those arrays in place from the batch statistics,
as Chainer's function does (``_common.update_running``: Chainer's decay and unbiased
variance adjustment, in its order of rounding).  The statistics outputs are for
that update only and never reach a caller; the rule gives them no gradient (a
gradient arriving at them is ignored).

Forward, in Chainer's order of rounding (numpy's ``mean`` and ``var``): one pass for
the mean, one to centre, one for the variance, then ``x_hat`` in place of the centred
values and the affine output: two reductions and five elementwise passes.  A
channels-last ``x`` (a convolution's output) takes the same steps a few batch items
at a time, in the cache (``_batch_norm_chunks``, bit for bit the same numbers).
VJP (Chainer's formula):
``gbeta = sum(gy)``, ``ggamma = sum(gy * x_hat)``,
``gx = gamma * inv_std * (gy - (x_hat * ggamma + gbeta) / m)``.
Residuals: ``x`` and ``gamma`` (inputs), ``x_hat`` and ``inv_std``: keeping ``x_hat``
(one array of x's size) spares the backward two passes that would recompute it.
Double backprop: ``x_hat`` and ``inv_std`` depend on ``x``, so the recorded rule
(``second_order_vjp``) recomputes them from ``x`` on the second-order namespace and
differentiates through the same gradient formula (Chainer 7's double backward, by
differentiation rather than by a hand-written second rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._channel_sums import batch_sums, channels_last
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, real_arg, shape_of
from fchain.ops.normalization import _batch_norm_chunks as chunks
from fchain.ops.normalization._batch_axes import BatchAxes, batch_axes, draw_batch_axes, warn_if_single
from fchain.ops.normalization._common import (
    Sums,
    as_dtype,
    check_float_x,
    interm_dtype,
    normalized,
    running_arrays,
    update_running,
)
from fchain.types import Array, ArrayNamespace

__all__ = ["BATCH_NORMALIZATION", "BatchNormalizationParams", "batch_normalization"]

_NAME = "batch_normalization"


@dataclass(frozen=True, slots=True)
class BatchNormalizationParams:
    """``axes``: how x and gamma line up; ``eps``: added to the variance."""

    axes: BatchAxes
    eps: float


def _forward(xp: ArrayNamespace, inputs: Inputs, p: BatchNormalizationParams) -> Forwarded:
    x, gamma, beta = inputs
    a = p.axes
    if chunks.takes(x, gamma, a.axis):
        y, mean, var, inv_std, x_hat = chunks.forward(xp, x, gamma, beta, p.eps, a.m)
        return (y, mean.reshape(a.gshape), var.reshape(a.gshape)), (x, gamma, x_hat, inv_std)
    if x.dtype == gamma.dtype:
        xi, g, b = x, gamma, beta
    else:
        dtype = interm_dtype(x, gamma)
        xi, g, b = as_dtype(xp, x, dtype), as_dtype(xp, gamma, dtype), as_dtype(xp, beta, dtype)
    mean, var, inv_std, x_hat = normalized(xp, xi, a.axis, p.eps, batch_sums)
    y = x_hat * g.reshape(a.bshape)
    y += b.reshape(a.bshape)
    return ((as_dtype(xp, y, x.dtype), mean.reshape(a.gshape), var.reshape(a.gshape)),
            (x, gamma, x_hat, inv_std))


def _grads(xp: ArrayNamespace, x: Array, gamma: Array, x_hat: Array, inv_std: Array, gy: Array,
           p: BatchNormalizationParams, sums: Sums | None = None) -> Grads:
    """Chainer's gradient of batch normalization, in its order of rounding (with the
    array methods, which skip numpy's wrapping functions, as ``_common.moments``;
    ``sums`` as there, on arrays only)."""
    a = p.axes
    dtype = x_hat.dtype
    if gy.dtype == dtype and gamma.dtype == dtype:
        g = gamma
    else:
        gy, g = as_dtype(xp, gy, dtype), as_dtype(xp, gamma, dtype)
    gx_hat = gy * x_hat
    if sums is None:
        gbeta, ggamma = gy.sum(axis=a.axis, keepdims=True), gx_hat.sum(axis=a.axis, keepdims=True)
    else:
        gbeta, ggamma = sums(xp, gy, a.axis), sums(xp, gx_hat, a.axis)
    t = x_hat * ggamma
    t += gbeta
    t *= 1.0 / a.m
    gx = (g.reshape(a.bshape) * inv_std) * (gy - t)
    return (as_dtype(xp, gx, x.dtype),
            as_dtype(xp, ggamma.reshape(a.gshape), gamma.dtype),
            as_dtype(xp, gbeta.reshape(a.gshape), gamma.dtype))


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: BatchNormalizationParams) -> Grads:
    x, gamma, x_hat, inv_std = residuals
    gy = grads[0]
    if chunks.takes(x, gamma, p.axes.axis) and channels_last(gy) and gy.dtype == x.dtype:
        gx, ggamma, gbeta = chunks.backward(xp, gamma, x_hat, inv_std, gy, p.axes.m)
        return gx, ggamma.reshape(p.axes.gshape), gbeta.reshape(p.axes.gshape)
    return _grads(xp, x, gamma, x_hat, inv_std, gy, p, batch_sums)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs,
                  p: BatchNormalizationParams) -> Grads:
    """Second order: the statistics recomputed from ``x`` so they are differentiated."""
    x, gamma = residuals[0], residuals[1]
    _, _, inv_std, x_hat = normalized(xp, as_dtype(xp, x, interm_dtype(x, gamma)), p.axes.axis, p.eps)
    return _grads(xp, x, gamma, x_hat, inv_std, grads[0], p)


def _check(arrays: Inputs, p: BatchNormalizationParams) -> BatchNormalizationParams:
    check_float_x(_NAME, arrays[0])
    if tuple(arrays[2].shape) != p.axes.gshape:
        raise ShapeError(f"{_NAME}: beta must have gamma's shape {p.axes.gshape}, "
                         f"got shape {tuple(arrays[2].shape)}")
    return p


def _sample(draw: Draw) -> Case:
    shape, g_shape, axis = draw_batch_axes(draw)
    x = draw.distinct(shape, 0.3)
    gamma = draw.floats(g_shape, 0.5, 1.5)
    beta = draw.floats(g_shape)
    eps = draw.choice([2e-5, 0.1])
    if draw.boolean():
        decay = draw.choice([0.9, 0.5])
        stats = (draw.floats(g_shape), draw.floats(g_shape, 0.5, 2.0))
        return Case((x, gamma, beta) + stats, lambda x, g, b, rm, rv: batch_normalization(
            x, g, b, eps=eps, running_mean=rm.array.copy(), running_var=rv.array.copy(), decay=decay,
            axis=axis), check=(0, 1, 2), label="running")
    return Case((x, gamma, beta), lambda x, g, b: batch_normalization(x, g, b, eps=eps, axis=axis))


BATCH_NORMALIZATION: MultiOutputOp[BatchNormalizationParams] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "gamma", "beta"), check=_check,
    float_inputs=(1, 2), broadcasts=False, second_order_vjp=_vjp_recorded))

def batch_normalization(x: VariableLike, gamma: VariableLike, beta: VariableLike, *, eps: float = 2e-5,
                        running_mean: Array | None = None, running_var: Array | None = None,
                        decay: float = 0.9, axis: int | tuple[int, ...] | None = None) -> Variable:
    """Batch normalization over the batch (and, by default, spatial) axes.

    Args:
        x: Input of shape ``(N, C, ...)`` (or any shape, with ``axis``).
        gamma: Scale, shaped as the axes of ``x`` that are not reduced (by default
            ``x.shape[1:1 + gamma.ndim]``).
        beta: Shift, of gamma's shape and dtype.
        eps: Added to the variance.
        running_mean, running_var: Arrays of gamma's shape on x's device, updated
            in place (as Chainer does) to ``decay * running + (1 - decay) * batch``,
            the batch variance made unbiased (times ``m / (m - 1)``, ``m`` the
            number of values per statistic).  Both or neither.
        decay: Weight of the old running statistics.
        axis: The axes the statistics are taken over (an int or an ascending
            tuple); ``None`` for axis 0 and every axis after gamma's.

    Returns ``y`` of x's shape and dtype; the statistics are computed in the wider
    of x's and gamma's dtypes.  Arguments after ``beta`` are keyword-only, as in
    Chainer.
    """
    if type(eps) is not float:
        eps = real_arg(_NAME, "eps", eps)
    axes = batch_axes(_NAME, shape_of(x, _NAME), shape_of(gamma, _NAME, "gamma"), axis)
    params = BatchNormalizationParams(axes, eps)
    warn_if_single(_NAME, axes)
    running = running_arrays(_NAME, running_mean, running_var, axes.gshape, x)
    if running is not None and type(decay) is not float:
        decay = real_arg(_NAME, "decay", decay)
    y, mean, var = apply(BATCH_NORMALIZATION, (x, gamma, beta), params)
    if running is not None:
        update_running(running, mean.array, var.array, decay, axes.m)
    return y

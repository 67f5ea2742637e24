"""Batch normalization with the statistics of the whole batch across ranks.

Each rank computes the mean and the mean square of its part of the batch over the
normalized axes; one mean over the ranks (one collective of ``2 * channels``
numbers) gives the global mean and variance.  The backward pass does the same for
the sums of ``gy`` and ``gy * x_hat``.  With every rank holding a part of the same
size, the output equals ``F.batch_normalization`` on the concatenated batch; the
gradients of ``gamma`` and ``beta`` are the mean over ranks of the per-rank sums
(what ``multi_node_mean_grad`` leaves them at), and the gradient of ``x`` is that
of the sum of the ranks' losses (which the optimizer's mean over ranks turns into
the gradient of the mean loss).  The running variance is made unbiased with the
global count (ChainerMN uses each rank's count).
"""

from __future__ import annotations

from typing import Any

import numpy

from fchain.core import backend
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.facade.function import Function
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["MultiNodeBatchNormalizationFunction", "multi_node_batch_normalization"]


def _module(a: Array) -> Any:
    if backend.is_cupy_array(a):
        return backend.cupy_module()
    return numpy


class MultiNodeBatchNormalizationFunction(Function):
    """``y = gamma * (x - mean) / sqrt(var + eps) + beta`` over the global batch;
    updates ``running_mean``/``running_var`` in place when given."""

    def __init__(self, comm: CommunicatorBase, eps: float, axes: tuple[int, ...],
                 running_mean: Array | None, running_var: Array | None, decay: float) -> None:
        self.comm = comm
        self.eps = eps
        self.axes = axes
        self.running_mean = running_mean
        self.running_var = running_var
        self.decay = decay

    def _mean_over_ranks(self, local: Array) -> Array:
        mean = getattr(self.comm, "_multi_node_mean")
        mean(None, local)
        return local

    def forward(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        x, gamma, beta = inputs
        xp = _module(x)
        dtype = numpy.promote_types(x.dtype, gamma.dtype)
        xw = x.astype(dtype, copy=False)
        shape = [1 if i in self.axes else n for i, n in enumerate(x.shape)]
        local = xp.concatenate([xw.mean(axis=self.axes).reshape(-1),
                                xp.square(xw).mean(axis=self.axes).reshape(-1)])
        stats = self._mean_over_ranks(local)
        k = gamma.size
        mean, sqmean = stats[:k].reshape(gamma.shape), stats[k:].reshape(gamma.shape)
        var = xp.maximum(sqmean - mean * mean, 0)
        std = xp.sqrt(var + self.eps)
        x_hat = (xw - mean.reshape(shape)) / std.reshape(shape)
        y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
        self._saved = (x_hat, std, shape, x.size // k)
        if self.running_mean is not None and self.running_var is not None:
            m = (x.size // k) * self.comm.size
            unbiased = var * (m / max(m - 1, 1))
            self.running_mean *= self.decay
            self.running_mean += (1 - self.decay) * mean.astype(self.running_mean.dtype)
            self.running_var *= self.decay
            self.running_var += (1 - self.decay) * unbiased.astype(self.running_var.dtype)
        return (y.astype(x.dtype, copy=False),)

    def backward(self, inputs: tuple[Array, ...],
                 grad_outputs: tuple[Array, ...]) -> tuple[Array | None, ...]:
        x, gamma, _ = inputs
        xp = _module(x)
        x_hat, std, shape, m = self._saved
        gy = grad_outputs[0].astype(x_hat.dtype, copy=False)
        k = gamma.size
        local = xp.concatenate([gy.sum(axis=self.axes).reshape(-1),
                                (gy * x_hat).sum(axis=self.axes).reshape(-1)])
        sums = self._mean_over_ranks(local)
        gbeta, ggamma = sums[:k].reshape(gamma.shape), sums[k:].reshape(gamma.shape)
        gx = (gamma / std).reshape(shape) * (
            gy - (x_hat * ggamma.reshape(shape) + gbeta.reshape(shape)) / m)
        return (gx.astype(x.dtype, copy=False), ggamma.astype(gamma.dtype, copy=False),
                gbeta.astype(gamma.dtype, copy=False))


def multi_node_batch_normalization(comm: CommunicatorBase, x: Variable | Array,
                                   gamma: Variable | Array, beta: Variable | Array,
                                   eps: float = 2e-5, running_mean: Array | None = None,
                                   running_var: Array | None = None, decay: float = 0.9,
                                   axis: tuple[int, ...] | None = None) -> Variable:
    """Batch normalization of ``x`` with the mean and variance of the batch over all
    ranks of ``comm`` (``axis``: the axes averaged over; default axis 0 and every
    axis after ``gamma``'s)."""
    x_shape = x.shape
    g_ndim = len(gamma.shape)
    axes = axis if axis is not None else (0, *range(1 + g_ndim, len(x_shape)))
    out = MultiNodeBatchNormalizationFunction(
        comm, eps, tuple(a % len(x_shape) for a in axes), running_mean, running_var, decay,
    )(x, gamma, beta)
    assert isinstance(out, Variable)
    return out

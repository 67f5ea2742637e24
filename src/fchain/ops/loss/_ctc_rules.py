"""The rules of ``connectionist_temporal_classification``: the forward-backward
algorithm over the extended label sequence, in log space, vectorised over the
batch with one step per time step.  See ``fchain.ops.loss.ctc`` for the function.

The extended sequence of ``M`` labels is ``blank, l_1, blank, ..., l_M, blank``
(``S = 2M + 1`` positions, ``2 L_b + 1`` valid for a label length ``L_b``).  A path
stays at its position, moves to the next one, or skips a blank between two
different labels.  Each step combines the three candidates with Chainer's
logsumexp (stacked, maximum, ``exp``, sum, ``log``, maximum added back) and masks
the positions past the sequence's length with Chainer's log-zero (-1e10, or -1e4
in float16: finite, so an impossible alignment gives a finite, huge loss rather
than ``inf`` or ``nan``).  ``forward[t, b, s]`` and ``backward[t, b, s]`` hold each
step's logsumexp before the label's log-probability is added, so
``gamma = (log p_t[path_s] + forward) + backward`` is the log of the probability
of all paths through ``(t, s)``, in Chainer's order of rounding; the log-likelihood
is the logsumexp of ``gamma`` at ``t = 0`` over ``s``.  The backward pass starts,
for each sequence, at its own last input (``input_length``).

The log-probabilities are ``log_softmax(x)``, which keeps the log of a tiny
probability where Chainer takes the log of an underflowed softmax (log-zero).
VJP (first order only, as Chainer's): ``(softmax(x) - sum_{s: path_s = k}
exp(gamma[t, b, s] - log p_b)) * g`` for the first ``input_length`` steps (the rest
multiplied by 0, as Chainer), ``g = gy / B`` for the mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend
from fchain.ops._common import Forwarded, Grads, Inputs
from fchain.types import Array, ArrayNamespace

__all__ = ["CtcParams", "forward", "vjp"]


@dataclass(frozen=True, slots=True)
class CtcParams:
    blank_symbol: int
    reduce: str


def _log_zero(x: Array) -> float:
    return -10000.0 if x.dtype.itemsize == 2 else -10000000000.0


def _logsumexp(xp: ArrayNamespace, a: Array, axis: int) -> Array:
    """Chainer's CTC logsumexp over ``axis`` (removed)."""
    m = xp.max(a, axis=axis, keepdims=True)
    m = m + xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True))
    return xp.squeeze(m, axis)


def _step(xp: ArrayNamespace, prev: Array, near: Array, far: Array, outside: Array, zero: float) -> Array:
    """One transition: the logsumexp of staying (``prev``), the neighbour
    (``near``) and the skip (``far``), log-zero past the sequence."""
    return xp.where(outside, zero, _logsumexp(xp, xp.stack([prev, near, far]), 0))


def _extended(xp: ArrayNamespace, t: Array, label_length: Array, blank: int) -> tuple[Array, Array, Array]:
    """The extended label sequences ``(B, S)`` (labels past a sequence's length
    replaced by the blank), the positions past each one's end, and the positions
    a path may reach by skipping (``s >= 2`` and ``path[s] != path[s - 2]``)."""
    batch, m = t.shape
    positions = xp.reshape(xp.arange(2 * m + 1), (1, -1))
    in_label = xp.less(xp.reshape(xp.arange(m), (1, -1)), xp.reshape(label_length, (-1, 1)))
    path = xp.full((batch, 2 * m + 1), blank, dtype=xp.int64)
    path[:, 1::2] = xp.where(in_label, t, blank)
    outside = xp.greater_equal(positions, xp.reshape(2 * label_length + 1, (-1, 1)))
    skip = xp.zeros(path.shape, dtype=xp.bool_)
    skip[:, 2:] = xp.not_equal(path[:, 2:], path[:, :-2])
    return path, outside, skip


def forward(xp: ArrayNamespace, inputs: Inputs, p: CtcParams) -> Forwarded:
    x, t, input_length, label_length = inputs
    steps, batch, _ = x.shape
    zero = _log_zero(x)
    shifted = x - xp.max(x, axis=2, keepdims=True)
    e = xp.exp(shifted)
    total = xp.sum(e, axis=2, keepdims=True)
    softmax = e / total
    log_p = shifted - xp.log(total)
    path, outside, skip = _extended(xp, t, label_length, p.blank_symbol)
    rows = xp.reshape(xp.arange(batch), (-1, 1))
    on_path = log_p[:, rows, path]  # (T, B, S): log p_t of each position's label
    fill = xp.full((batch, 1), zero, dtype=x.dtype)
    fill2 = xp.full((batch, 2), zero, dtype=x.dtype)
    # forward: from position 0 before the first step
    alpha = xp.where(xp.equal(xp.reshape(xp.arange(path.shape[1]), (1, -1)), 0), 0.0, zero).astype(x.dtype)
    alpha = xp.broadcast_to(alpha, path.shape)
    forward_lse = []
    for i in range(steps):
        near = xp.concatenate([fill, alpha[:, :-1]], axis=1)
        far = xp.where(skip, xp.concatenate([fill2, alpha[:, :-2]], axis=1), zero)
        lse = _step(xp, alpha, near, far, outside, zero)
        forward_lse.append(lse)
        alpha = lse + on_path[i]
    # backward: from each sequence's last position, starting at its last input
    last = xp.equal(xp.reshape(xp.arange(path.shape[1]), (1, -1)), xp.reshape(2 * label_length, (-1, 1)))
    beta = xp.where(last, 0.0, zero).astype(x.dtype)
    skip_back = xp.concatenate([skip[:, 2:], xp.zeros((batch, 2), dtype=xp.bool_)], axis=1)
    backward_lse: list[Array] = []
    for i in range(steps - 1, -1, -1):
        near = xp.concatenate([beta[:, 1:], fill], axis=1)
        far = xp.where(skip_back, xp.concatenate([beta[:, 2:], fill2], axis=1), zero)
        lse = _step(xp, beta, near, far, outside, zero)
        running = xp.reshape(xp.less(i, input_length), (-1, 1))
        backward_lse.append(lse)
        beta = xp.where(running, xp.where(outside, zero, lse + on_path[i]), beta)
    gamma = (on_path + xp.stack(forward_lse)) + xp.stack(backward_lse[::-1])
    log_likelihood = _logsumexp(xp, gamma[0], 1)
    loss = -log_likelihood
    if p.reduce == "mean":
        loss = xp.asarray(xp.mean(loss, keepdims=False), dtype=x.dtype)
    n_label = x.shape[2]
    cells = xp.reshape(xp.arange(steps * batch), (steps, batch, 1)) * n_label
    positions = xp.reshape(cells + xp.expand_dims(path, 0), (-1,))
    running = xp.less(xp.reshape(xp.arange(steps), (-1, 1, 1)), xp.reshape(input_length, (1, -1, 1)))
    return (loss,), (softmax, gamma, log_likelihood, positions, running)


def vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: CtcParams) -> Grads:
    softmax, gamma, log_likelihood, positions, running = residuals
    gy = grads[0]
    share = xp.exp(gamma - xp.reshape(log_likelihood, (1, -1, 1)))
    occupancy = xp.reshape(backend.scatter_add_flat(xp, softmax.size, positions, share), softmax.shape)
    g = gy / softmax.shape[1] if p.reduce == "mean" else xp.reshape(gy, (1, -1, 1))
    gx = ((softmax - occupancy) * g) * running
    return gx, None, None, None

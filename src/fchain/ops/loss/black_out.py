"""black_out(x, t, W, samples, reduce='mean'): the BlackOut loss of inputs ``x``.

With the scores ``s_0 = x[n] . W[t[n]]`` (the label) and
``s_k = x[n] . W[samples[n, k - 1]]`` (the ``S`` given negative samples), and
``p_k = softmax(s)_k`` over those ``S + 1`` scores, the loss of row ``n`` is
``-log p_0 - sum_{k >= 1} log(1 - p_k)``.  ``reduce='mean'`` averages over the
``N`` rows, ``'no'`` returns them.  The samples are an argument, as in Chainer
(``L.BlackOut`` draws them); nothing here is random.

Forward in Chainer's order of rounding (its ``F.black_out`` is a composition of
functions): the scores by batched ``matmul``, ``log Z`` as ``log(sum(exp(s - m))) +
m``, ``log(1 - exp(s_k - log Z))``, then ``-((s_0 - log Z) + sum_k ...)``.  VJP: the
reverse of that composition, step by step (the gradient Chainer's graph
computes); ``W``'s gradient is scattered at the samples and at the labels and the
two summed.  Residuals: ``x``, ``W`` (inputs) and copies of the labels and
samples; the scores are recomputed, so double backprop differentiates them (the
scatter is recorded as the op ``get_item_grad`` on the second-order pass), as in
Chainer 7.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.array._scatter import scatter, scatter_recorded
from fchain.ops.loss._checks import check_int_labels, check_label_values, check_reduce
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["BLACK_OUT", "BlackOutParams", "black_out"]

_NAME = "black_out"


@dataclass(frozen=True, slots=True)
class BlackOutParams:
    reduce: str


def _scores(xp: ArrayNamespace, x: Array, W: Array, labels: Array, samples: Array
            ) -> tuple[Array, Array, Array, Array]:
    """The gathered rows ``W[samples]`` (``(N, S, D)``) and ``W[labels]``
    (``(N, 1, D)``) and their scores against ``x``: ``(N, S)`` and ``(N, 1)``."""
    n, d = x.shape
    column = xp.reshape(x, (n, d, 1))
    neg_w = W[samples]
    pos_w = xp.reshape(W[labels], (n, 1, d))
    neg_y = xp.reshape(xp.matmul(neg_w, column), (n, samples.shape[1]))
    pos_y = xp.reshape(xp.matmul(pos_w, column), (n, 1))
    return neg_w, pos_w, neg_y, pos_y


def _log_z(xp: ArrayNamespace, scores: Array) -> Array:
    """``log(sum(exp(scores), axis=1))`` as ``(N, 1)``, in Chainer's logsumexp order."""
    m = xp.max(scores, axis=1, keepdims=True)
    return xp.log(xp.sum(xp.exp(scores - m), axis=1, keepdims=True)) + m


def _forward(xp: ArrayNamespace, inputs: Inputs, p: BlackOutParams) -> Forwarded:
    x, t, W, samples = inputs
    labels, drawn = t.copy(), samples.copy()  # constants to double backprop (the inputs may be Variables)
    _, _, neg_y, pos_y = _scores(xp, x, W, labels, drawn)
    log_z = _log_z(xp, xp.concatenate([pos_y, neg_y], axis=1))
    ny = xp.log(1 - xp.exp(neg_y - log_z))
    loss = -((xp.reshape(pos_y, (-1,)) - xp.reshape(log_z, (-1,))) + xp.sum(ny, axis=1, keepdims=False))
    if p.reduce == "mean":
        loss = xp.asarray(loss.mean(), dtype=x.dtype)
    return (loss,), (x, W, labels, drawn)


_Scatter = Callable[[ArrayNamespace, Array, Array, Shape], Array]


def _scatter_rows(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter(xp, values, (index,), shape)


def _scatter_rows_recorded(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter_recorded(values, (index,), shape)


def _vjp_with(xp: ArrayNamespace, residuals: Inputs, gy: Array, p: BlackOutParams,
              scatter_rows: _Scatter) -> Grads:
    x, W, labels, samples = residuals
    n, d = x.shape
    s = samples.shape[1]
    neg_w, pos_w, neg_y, pos_y = _scores(xp, x, W, labels, samples)
    scores = xp.concatenate([pos_y, neg_y], axis=1)
    log_z = _log_z(xp, scores)
    e = xp.exp(neg_y - log_z)
    # loss = -((s_0 - log Z) + sum(log(1 - e))), averaged: back through each step.
    g_loss = -(gy * (1.0 / n)) if p.reduce == "mean" else -xp.reshape(gy, (n, 1))
    g_z = e * -(g_loss / (1 - e))
    g_scores = (xp.sum(-g_z, axis=1, keepdims=True) + -g_loss) * xp.exp(scores - log_z)
    g_neg = xp.reshape(g_z + g_scores[:, 1:], (n, s, 1))
    g_pos = xp.reshape(g_loss + g_scores[:, :1], (n, 1, 1))
    column = xp.reshape(x, (n, 1, d))
    gx = (xp.reshape(xp.matmul(xp.swapaxes(neg_w, 1, 2), g_neg), (n, d))
          + xp.reshape(xp.matmul(xp.swapaxes(pos_w, 1, 2), g_pos), (n, d)))
    shape = tuple(W.shape)
    gW = (scatter_rows(xp, xp.matmul(g_neg, column), samples, shape)
          + scatter_rows(xp, xp.reshape(xp.matmul(g_pos, column), (n, d)), labels, shape))
    return gx, None, gW, None


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: BlackOutParams) -> Grads:
    return _vjp_with(xp, residuals, grads[0], p, _scatter_rows)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: BlackOutParams) -> Grads:
    """Second order: the scatters into ``W``'s gradient are the op ``get_item_grad``."""
    return _vjp_with(xp, residuals, grads[0], p, _scatter_rows_recorded)


def _check(arrays: tuple[Array, ...], p: BlackOutParams) -> BlackOutParams:
    x, t, W, samples = arrays
    if x.ndim != 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, D), got shape {tuple(x.shape)}")
    n = x.shape[0]
    check_int_labels(_NAME, t)
    if t.ndim != 1 or t.shape[0] != n:
        raise ShapeError(f"{_NAME}: t must have shape ({n},) (one label per row of x), got shape {tuple(t.shape)}")
    if W.ndim != 2 or W.shape[1] != x.shape[1]:
        raise ShapeError(f"{_NAME}: W must have shape (V, {x.shape[1]}) (one row of x's width per item), "
                         f"got shape {tuple(W.shape)}")
    check_int_labels(_NAME, samples, "samples")
    if samples.ndim != 2 or samples.shape[0] != n:
        raise ShapeError(f"{_NAME}: samples must have shape ({n}, S) (S negative samples per row of x), "
                         f"got shape {tuple(samples.shape)}")
    check_label_values(_NAME, t, 0, W.shape[0], None)
    check_label_values(_NAME, samples, 0, W.shape[0], None, "samples")
    return p


def _sample(draw: Draw) -> Case:
    n, d, v, s = draw.integer(1, 3), draw.integer(1, 3), draw.integer(2, 5), draw.integer(1, 3)
    x = draw.floats((n, d))
    W = draw.floats((v, d))
    t = draw.integers((n,), 0, v - 1)
    samples = draw.integers((n, s), 0, v - 1)
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    return Case((x, t, W, samples), lambda xv, tv, Wv, sv: black_out(xv, tv, Wv, sv, reduce=reduce),
                check=(0, 2))


BLACK_OUT: OpDef[BlackOutParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "t", "W", "samples"), float_inputs=(0, 2),
    check=_check, broadcasts=False, second_order_vjp=_vjp_recorded))


def black_out(x: VariableLike, t: VariableLike, W: VariableLike, samples: VariableLike,
              reduce: Literal["mean", "no"] = "mean") -> Variable:
    """The BlackOut loss of the inputs ``x`` for the labels ``t`` against the
    negative ``samples``.

    Args:
        x: Input vectors, shape ``(N, D)``.
        t: Integer labels, shape ``(N,)``, each a row of ``W``.
        W: Item vectors, shape ``(V, D)``, ``x``'s dtype.
        samples: Integer negative samples, shape ``(N, S)``, each a row of ``W``.
        reduce: ``'mean'`` for the mean over the rows, ``'no'`` for one loss per row.

    Raises:
        ValueError: a label or sample outside ``[0, V)`` (Chainer's documentation
            allows -1 for ``t``, but its embedding then reads ``W``'s last row).
    """
    check_reduce(_NAME, reduce)
    return apply(BLACK_OUT, (x, t, W, samples), BlackOutParams(reduce))

"""crf1d(cost, xs, ys, reduce='mean'): negative log-likelihood of a linear-chain CRF.

For a sequence with label costs ``x_t`` (``K`` per step), transition costs ``cost``
(``K x K``) and labels ``y``, the loss is ``log Z - score(y)`` with
``score(y) = sum_t x_t[y_t] + sum_{t >= 1} cost[y_{t-1}, y_t]`` and ``Z`` the sum
of ``exp(score)`` over every labelling.  ``reduce='mean'`` sums over the batch and
divides by ``B = len(xs[0])``; ``'no'`` returns each sequence's loss.  Sequences
of different lengths come as Chainer takes them (``_crf1d_sequences``).

Forward: the forward algorithm in log space, one vectorised step per time step for
the whole batch: ``alpha_t = logsumexp_i(alpha_{t-1}[:, i, None] + cost, axis=1)
+ x_t`` (Chainer's logsumexp: maximum, ``exp``, sum, ``log``, maximum added back),
frozen for the sequences that have ended; ``log Z = logsumexp(alpha)``.  The
score adds ``x_t[y_t] + cost[y_{t-1}, y_t]`` step by step, as Chainer.

VJP: reverse-mode through those steps (what Chainer's graph computes): with
``g`` the gradient of ``alpha_t``, each step's softmax ``p = exp(s - lse)`` over
the previous label gives ``g_s = g[:, None, :] * p``, summed over the next label
into the gradient of ``alpha_{t-1}`` and over the batch into ``cost``'s; the score
gives ``-gy`` at each label and each transition.  The score's part is written
with constant one-hot matrices (a product and a ``matmul``, no scatter), so the
rule is plain ``xp``.  Residuals: ``cost`` and the concatenated ``x`` (inputs),
the one-hot labels and transition counts (constants) and, for the first-order
rule, every step's ``alpha`` and logsumexp; the second-order rule recomputes
those from the inputs, so double backprop works, as in Chainer 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.loss._checks import check_reduce
from fchain.ops.loss._crf1d_sequences import Layout, check_labels, check_sequences, joined
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = ["CRF1D", "Crf1dParams", "crf1d"]

_NAME = "crf1d"


@dataclass(frozen=True, slots=True)
class Crf1dParams:
    layout: Layout
    reduce: str


def _logsumexp(xp: ArrayNamespace, a: Array, axis: int) -> Array:
    """Chainer's logsumexp over ``axis`` (removed): ``log(sum(exp(a - m))) + m``."""
    m = xp.max(a, axis=axis, keepdims=True)
    return xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=False)) + xp.squeeze(m, axis)


def _recursion(xp: ArrayNamespace, cost: Array, xpad: Array, valid: Array) -> tuple[list[Array], list[Array]]:
    """The forward algorithm: ``alpha_t`` for every step, and the logsumexp of each
    step after the first (``lse_t``, the value before ``x_t`` is added)."""
    alpha = xpad[0]
    alphas, lses = [alpha], []
    for t in range(1, xpad.shape[0]):
        lse = _logsumexp(xp, xp.expand_dims(alpha, 2) + cost, 1)
        alpha = xp.where(xp.expand_dims(valid[t], 1), lse + xpad[t], alpha)
        alphas.append(alpha)
        lses.append(lse)
    return alphas, lses


def _pad(xp: ArrayNamespace, x: Array, layout: Layout) -> Array:
    return xp.reshape(x[layout.pad_index(xp)], (layout.steps, layout.batch, x.shape[1]))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: Crf1dParams) -> Forwarded:
    cost, x, y = inputs
    layout = p.layout
    n_label = cost.shape[0]
    valid = layout.valid(xp)
    xpad = _pad(xp, x, layout)
    ypad = xp.reshape(y[layout.pad_index(xp)], (layout.steps, layout.batch))
    alphas, lses = _recursion(xp, cost, xpad, valid)
    log_z = _logsumexp(xp, alphas[-1], 1)
    rows = xp.arange(layout.batch)
    score = xpad[0][rows, ypad[0]]
    for t in range(1, layout.steps):
        step = xpad[t][rows, ypad[t]] + cost[ypad[t - 1], ypad[t]]
        score = xp.where(valid[t], score + step, score)
    loss = log_z - score
    if p.reduce == "mean":
        loss = xp.asarray(xp.sum(loss, keepdims=False) * (1.0 / layout.batch), dtype=x.dtype)
    labels = xp.equal(xp.reshape(y, (-1, 1)), xp.reshape(xp.arange(n_label), (1, -1))).astype(x.dtype)
    residuals: Inputs = (cost, x, labels, _transitions(xp, ypad, valid, n_label, x.dtype),
                         xp.stack(alphas), *lses)
    return (loss,), residuals


def _transitions(xp: ArrayNamespace, ypad: Array, valid: Array, n_label: int, dtype: DTypeLike) -> Array:
    """``(B, K * K)``: how often each sequence's labels go from ``i`` to ``j``."""
    steps, batch = ypad.shape
    counts = xp.zeros((batch, n_label * n_label), dtype=dtype)
    pairs = xp.reshape(xp.arange(n_label * n_label), (1, -1))
    for t in range(1, steps):
        code = xp.reshape(ypad[t - 1] * n_label + ypad[t], (-1, 1))
        counts = counts + (xp.equal(code, pairs) & xp.expand_dims(valid[t], 1))
    return counts


def _backward(xp: ArrayNamespace, p: Crf1dParams, cost: Array, x: Array, labels: Array, transitions: Array,
              alphas: Sequence[Array], lses: Sequence[Array], gy: Array) -> Grads:
    layout = p.layout
    batch = layout.batch
    valid = layout.valid(xp)
    xpad = _pad(xp, x, layout)
    if p.reduce == "mean":
        g = xp.broadcast_to(xp.reshape(gy * (1.0 / batch), (1,)), (batch,))
    else:
        g = gy
    log_z = _logsumexp(xp, alphas[-1], 1)
    g_alpha = xp.expand_dims(g, 1) * xp.exp(alphas[-1] - xp.expand_dims(log_z, 1))
    g_steps: list[Array] = []
    g_cost = None
    for t in range(layout.steps - 1, 0, -1):
        keep = xp.expand_dims(valid[t], 1)
        g_t = xp.where(keep, g_alpha, 0.0)
        g_steps.append(g_t)
        softmax = xp.exp((xp.expand_dims(alphas[t - 1], 2) + cost) - xp.expand_dims(lses[t - 1], 1))
        g_s = xp.expand_dims(g_t, 1) * softmax
        g_alpha = xp.where(keep, xp.sum(g_s, axis=2, keepdims=False), g_alpha)
        g_step_cost = xp.sum(g_s, axis=0, keepdims=False)
        g_cost = g_step_cost if g_cost is None else g_cost + g_step_cost
    g_steps.append(g_alpha)
    g_pad = xp.reshape(xp.stack(g_steps[::-1]), (layout.steps * batch, x.shape[1]))
    g_score = -g
    gx = g_pad[layout.flat_index(xp)] + labels * xp.expand_dims(g_score[layout.row_batch(xp)], 1)
    if layout.steps == 1:
        return None, gx, None  # cost is not used (Chainer gives it no gradient either)
    g_score_cost = xp.reshape(xp.matmul(xp.reshape(g_score, (1, batch)), transitions), tuple(cost.shape))
    return (g_score_cost if g_cost is None else g_cost + g_score_cost), gx, None


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Crf1dParams) -> Grads:
    cost, x, labels, transitions, alphas = residuals[:5]
    steps = [alphas[t] for t in range(alphas.shape[0])]
    return _backward(xp, p, cost, x, labels, transitions, steps, residuals[5:], grads[0])


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: Crf1dParams) -> Grads:
    """Second order: ``alpha`` and the logsumexps recomputed from the inputs."""
    cost, x, labels, transitions = residuals[:4]
    alphas, lses = _recursion(xp, cost, _pad(xp, x, p.layout), p.layout.valid(xp))
    return _backward(xp, p, cost, x, labels, transitions, alphas, lses, grads[0])


def _sample(draw: Draw) -> Case:
    n_label = draw.integer(1, 3)
    sizes = sorted((draw.integer(1, 3) for _ in range(draw.integer(1, 4))), reverse=True)
    cost = draw.floats((n_label, n_label))
    xs = tuple(draw.floats((n, n_label)) for n in sizes)
    ys = tuple(draw.integers((n,), 0, n_label - 1) for n in sizes)
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    steps = len(sizes)

    def call(c: Variable, *args: Variable) -> Variable:
        return crf1d(c, list(args[:steps]), [y.array for y in args[steps:]], reduce=reduce)

    return Case((cost,) + xs + ys, call, check=tuple(range(steps + 1)))


CRF1D: OpDef[Crf1dParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("cost", "xs", "ys"), float_inputs=(0, 1),
    broadcasts=False, second_order_vjp=_vjp_recorded))


def crf1d(cost: VariableLike, xs: Sequence[VariableLike], ys: Sequence[VariableLike],
          reduce: Literal["mean", "no"] = "mean") -> Variable:
    """Negative log-likelihood of label sequences under a linear-chain CRF.

    Args:
        cost: Transition costs, ``(K, K)``: ``cost[i, j]`` from label ``i`` to ``j``.
        xs: One ``(B_t, K)`` array of label costs per time step, the sequences
            sorted by length (longest first) and transposed: ``B_0 >= B_1 >= ...``.
        ys: One integer ``(B_t,)`` array of labels per time step, each in ``[0, K)``.
        reduce: ``'mean'``: the sum of the losses divided by ``B_0``; ``'no'``: one
            loss per sequence, shape ``(B_0,)``.

    Raises:
        ShapeError: ``cost`` is not square, an ``xs[t]`` is not ``(B_t, K)``, the
            batch sizes increase, or a ``ys[t]`` does not match its ``xs[t]``.
        ValueError: a label outside ``[0, K)``, or a bad ``reduce``.
    """
    check_reduce(_NAME, reduce)
    layout, n_label = check_sequences(_NAME, cost, xs)
    y = check_labels(_NAME, ys, layout, n_label)
    return apply(CRF1D, (cost, joined(_NAME, xs), y), Crf1dParams(layout, reduce))

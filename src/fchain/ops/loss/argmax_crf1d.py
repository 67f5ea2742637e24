"""argmax_crf1d(cost, xs): the most likely labelling of each sequence under a
linear-chain CRF (Viterbi), and its score.

Returns ``(score, path)``: ``score[b] = max over labellings y of
sum_t x_t[b, y_t] + sum_{t >= 1} cost[y_{t-1}, y_t]`` (a Variable, differentiable)
and ``path``, one integer array ``(B_t,)`` per time step holding the labelling
that attains it (Chainer's return values).  Sequences of different lengths come as
Chainer takes them (``_crf1d_sequences``).

The public function runs the Viterbi search on the arrays (records nothing), one
vectorised step per time step for the whole batch: ``s = alpha[:, :, None] +
cost``, the best previous label ``argmax(s, axis=1)`` (the first on ties, as
Chainer's ``argmax``) and ``alpha = max(s, axis=1) + x_t``; then it backtracks.
The op is the score of that path, summed in the order the search added it
(``(score + cost) + x_t`` per step), so it is the search's maximum bit for bit.
VJP: ``gy`` at each label of the path (+0 elsewhere, as Chainer's) and at each
of its transitions, written with a constant mask and transition counts (plain
``xp``; the second derivative is 0).
Convention on ties: the gradient follows the returned path only (Chainer's
``max`` gives the whole gradient to every tied candidate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.loss._checks import array_of
from fchain.ops.loss._crf1d_sequences import Layout, check_sequences, joined
from fchain.types import Array, ArrayNamespace

__all__ = ["ARGMAX_CRF1D", "ArgmaxCrf1dParams", "argmax_crf1d", "viterbi"]

_NAME = "argmax_crf1d"


@dataclass(frozen=True, slots=True, eq=False)
class ArgmaxCrf1dParams:
    layout: Layout
    path: Array
    """The best labelling, one label per row of the concatenated ``xs`` (x's device)."""


def viterbi(xp: ArrayNamespace, cost: Array, x: Array, layout: Layout) -> Array:
    """The best labelling of every sequence, ``(T, B)`` int32 (rows past a
    sequence's end repeat its last label), from ``cost`` and the concatenated
    ``x``: arrays only."""
    valid = layout.valid(xp)
    xpad = xp.reshape(x[layout.pad_index(xp)], (layout.steps, layout.batch, x.shape[1]))
    alpha = xpad[0]
    back: list[Array] = []
    for t in range(1, layout.steps):
        s = xp.expand_dims(alpha, 2) + cost
        back.append(xp.argmax(s, axis=1))
        alpha = xp.where(xp.expand_dims(valid[t], 1), xp.max(s, axis=1, keepdims=False) + xpad[t], alpha)
    label = xp.argmax(alpha, axis=1)
    rows = xp.arange(layout.batch)
    path = [label]
    for t in range(layout.steps - 1, 0, -1):
        label = xp.where(valid[t], back[t - 1][rows, label], label)
        path.append(label)
    return xp.stack(path[::-1]).astype(xp.int32)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ArgmaxCrf1dParams) -> Forwarded:
    cost, x = inputs
    layout = p.layout
    n_label = cost.shape[0]
    valid = layout.valid(xp)
    xpad = xp.reshape(x[layout.pad_index(xp)], (layout.steps, layout.batch, n_label))
    ppad = xp.reshape(p.path[layout.pad_index(xp)], (layout.steps, layout.batch))
    rows = xp.arange(layout.batch)
    score = xpad[0][rows, ppad[0]]
    counts = xp.zeros((layout.batch, n_label * n_label), dtype=x.dtype)
    pairs = xp.reshape(xp.arange(n_label * n_label), (1, -1))
    for t in range(1, layout.steps):
        step = (score + cost[ppad[t - 1], ppad[t]]) + xpad[t][rows, ppad[t]]
        score = xp.where(valid[t], step, score)
        code = xp.reshape(ppad[t - 1] * n_label + ppad[t], (-1, 1))
        counts = counts + (xp.equal(code, pairs) & xp.expand_dims(valid[t], 1))
    on_path = xp.equal(xp.reshape(p.path, (-1, 1)), xp.reshape(xp.arange(n_label), (1, -1)))
    return (score,), (on_path, counts)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ArgmaxCrf1dParams) -> Grads:
    on_path, counts = residuals
    gy = grads[0]
    n_label = on_path.shape[1]
    g_cost = xp.reshape(xp.matmul(xp.reshape(gy, (1, -1)), counts), (n_label, n_label))
    return g_cost, xp.where(on_path, xp.expand_dims(gy[p.layout.row_batch(xp)], 1), 0.0)


def _sample(draw: Draw) -> Case:
    n_label = draw.integer(1, 3)
    sizes = sorted((draw.integer(1, 3) for _ in range(draw.integer(1, 4))), reverse=True)
    cost = draw.distinct((n_label, n_label), gap=0.3)
    xs = tuple(draw.distinct((n, n_label), gap=0.37) for n in sizes)

    def call(c: Variable, *args: Variable) -> Variable:
        return argmax_crf1d(c, list(args))[0]

    return Case((cost,) + xs, call)


ARGMAX_CRF1D: OpDef[ArgmaxCrf1dParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample, conventions=("on ties the gradient follows the returned path",)),
    arg_names=("cost", "xs"), float_inputs=(0, 1), broadcasts=False))


def argmax_crf1d(cost: VariableLike, xs: Sequence[VariableLike]) -> tuple[Variable, list[Array]]:
    """The best labelling of each sequence under a linear-chain CRF, and its score.

    Args:
        cost: Transition costs, ``(K, K)``: ``cost[i, j]`` from label ``i`` to ``j``.
        xs: One ``(B_t, K)`` array of label costs per time step, the sequences
            sorted by length (longest first) and transposed: ``B_0 >= B_1 >= ...``.

    Returns:
        ``(score, path)``: the best score of each sequence, a Variable of shape
        ``(B_0,)``, and the labelling attaining it, a list of one int32 array
        ``(B_t,)`` per time step (``path[t][b]`` is sequence ``b``'s label at ``t``).

    Raises:
        ShapeError: ``cost`` is not square, an ``xs[t]`` is not ``(B_t, K)``, or
            the batch sizes increase.
    """
    layout, _ = check_sequences(_NAME, cost, xs)
    x = joined(_NAME, xs)
    ca, xa = array_of(_NAME, "cost", cost), array_of(_NAME, "xs", x)
    xp = backend.namespace_of(xa)
    padded = viterbi(xp, ca, xa, layout)
    path = xp.reshape(padded, (-1,))[layout.flat_index(xp)]
    score = apply(ARGMAX_CRF1D, (cost, x), ArgmaxCrf1dParams(layout, path))
    return score, [padded[t, :n] for t, n in enumerate(layout.batch_sizes)]

"""negative_sampling(x, t, W, sampler, sample_size, reduce='sum'): word2vec's loss.

For each row ``n`` of ``x`` (``(N, D)``) the public function draws
``sampler((N, sample_size + 1))`` (Chainer's call, so a given sampler gives Chainer's
samples; ``fchain.utils.WalkerAlias(probs).sample`` draws from fchain's random
source) and sets the first column to the label ``t[n]``: ``samples[n, 0] = t[n]`` is
the positive item, the rest are negatives.  With ``f[n, 0] = -x[n] . W[t[n]]`` and
``f[n, k] = x[n] . W[samples[n, k]]`` for ``k >= 1``, the loss of row ``n`` is
``sum_k log(1 + exp(f[n, k]))`` (``-log sigmoid`` of the positive score plus
``-log sigmoid(-score)`` of each negative); rows with ``t == -1`` are ignored (loss
and gradients 0).  ``reduce='sum'`` sums the rows, ``'no'`` returns them (``(N,)``).

The drawn samples enter the pure rule as an input (``samples``), and the rule
builds the final sample array itself (the drawn array is never written to;
Chainer's writes the labels into the sampler's array).  Forward: the scores by a
batched ``matmul`` of the gathered rows ``W[samples]`` with ``x``, and
``log(1 + exp(f)) = max(f, 0) + log1p(exp(-|f|))`` (no overflow; numpy's
``logaddexp(f, 0)``, Chainer's CPU formula).  VJP (Chainer's CPU rule, row by row
there, batched here): ``g = gy / (1 + exp(-f)) * s`` with ``s = -1`` for the
positive column and ``+1`` otherwise, ``gx[n] = g[n] . W[samples[n]]`` and
``gW[samples[n, k]] += g[n, k] x[n]``, added in row-major order (the order of
Chainer's loop).  Residuals: ``x``, ``W`` (inputs), the sample index with ignored
rows pointing at row 0, the signs ``s`` (0 on ignored rows) and the kept-row mask:
constants.  The second-order rule is the same with the scatter recorded as the op
``get_item_grad``, so double backprop works, as in Chainer 7.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, overload

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply, check_dtypes
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, int_arg
from fchain.ops.array._scatter import scatter, scatter_recorded
from fchain.ops.loss._checks import array_of, check_int_labels, check_label_values
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["NEGATIVE_SAMPLING", "NegativeSamplingParams", "Sampler", "negative_sampling"]

_NAME = "negative_sampling"
_IGNORE = -1

Sampler = Callable[[tuple[int, int]], Array]
"""Draws an integer array of the shape it is given (``WalkerAlias.sample``)."""


@dataclass(frozen=True, slots=True)
class NegativeSamplingParams:
    reduce: str
    sample_size: int
    """Checked against the sampler's result; the rule reads the samples' shape."""


def _samples(xp: ArrayNamespace, t: Array, drawn: Array) -> Array:
    """The drawn samples with their first column replaced by the labels ``t``."""
    return xp.concatenate([xp.reshape(t, (-1, 1)).astype(drawn.dtype), drawn[:, 1:]], axis=1)


def _scores(xp: ArrayNamespace, x: Array, w: Array) -> Array:
    """``x[n] . w[n, k]`` for every row ``n`` and sample ``k`` (a batched matmul)."""
    n, k, d = w.shape
    return xp.reshape(xp.matmul(w, xp.reshape(x, (n, d, 1))), (n, k))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: NegativeSamplingParams) -> Forwarded:
    x, t, W, drawn = inputs
    samples = _samples(xp, t, drawn)
    keep = xp.not_equal(xp.reshape(t, (-1, 1)), _IGNORE)
    index = xp.where(keep, samples, 0)
    positive = xp.equal(xp.reshape(xp.arange(samples.shape[1]), (1, -1)), 0)
    signs = xp.where(keep, xp.where(positive, -1.0, 1.0), 0.0).astype(x.dtype)
    f = _scores(xp, x, W[index]) * signs
    per_row = xp.sum(xp.maximum(f, 0) + xp.log1p(xp.exp(-xp.absolute(f))), axis=1, keepdims=False)
    loss = xp.where(keep[:, 0], per_row, 0).astype(x.dtype)
    if p.reduce == "sum":
        loss = xp.asarray(loss.sum(), dtype=x.dtype)
    return (loss,), (x, W, index, signs, keep)


_Scatter = Callable[[ArrayNamespace, Array, Array, Shape], Array]


def _scatter_rows(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter(xp, values, (index,), shape)


def _scatter_rows_recorded(xp: ArrayNamespace, values: Array, index: Array, shape: Shape) -> Array:
    return scatter_recorded(values, (index,), shape)


def _vjp_with(xp: ArrayNamespace, residuals: Inputs, gy: Array, p: NegativeSamplingParams,
              scatter_rows: _Scatter) -> Grads:
    x, W, index, signs, keep = residuals
    n, k = index.shape
    d = x.shape[1]
    w = W[index]
    f = _scores(xp, x, w) * signs
    g_row = gy if p.reduce == "sum" else xp.reshape(gy, (n, 1))
    g = g_row / (1 + xp.exp(-f)) * signs
    gx = xp.where(keep, xp.reshape(xp.matmul(xp.reshape(g, (n, 1, k)), w), (n, d)), 0)
    gW = scatter_rows(xp, xp.reshape(g, (n, k, 1)) * xp.reshape(x, (n, 1, d)), index, tuple(W.shape))
    return gx, None, gW, None


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: NegativeSamplingParams) -> Grads:
    return _vjp_with(xp, residuals, grads[0], p, _scatter_rows)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: NegativeSamplingParams) -> Grads:
    """Second order: the scatter into ``W``'s gradient is the op ``get_item_grad``."""
    return _vjp_with(xp, residuals, grads[0], p, _scatter_rows_recorded)


def _check(arrays: tuple[Array, ...], p: NegativeSamplingParams) -> NegativeSamplingParams:
    """The sampler's result: an integer array of the requested shape, each drawn
    sample (columns 1 on) a row of ``W``."""
    x, _, W, drawn = arrays
    if drawn.dtype.kind not in "iu":
        raise DTypeError(f"{_NAME}: the sampler must return an integer array, got dtype {drawn.dtype}")
    if tuple(drawn.shape) != (x.shape[0], p.sample_size + 1):
        raise ShapeError(f"{_NAME}: the sampler returned shape {tuple(drawn.shape)}, not the "
                         f"{(x.shape[0], p.sample_size + 1)} (N, sample_size + 1) it was asked for")
    negatives = drawn[:, 1:]
    if negatives.size and not (int(negatives.min()) >= 0 and int(negatives.max()) < W.shape[0]):
        outside = backend.to_numpy(negatives[(negatives < 0) | (negatives >= W.shape[0])])
        raise ValueError(f"{_NAME}: the sampler returned items outside [0, {W.shape[0]}) (the rows of W): "
                         f"{sorted({int(v) for v in outside.ravel()[:100]})[:5]}")
    return p


def _sample(draw: Draw) -> Case:
    n, d, v = draw.integer(1, 4), draw.integer(1, 3), draw.integer(1, 5)
    size = draw.integer(0, 3)
    x = draw.floats((n, d))
    W = draw.floats((v, d))
    t = draw.integers((n,), -1, v - 1)
    drawn = draw.integers((n, size + 1), 0, v - 1)
    reduce: Literal["sum", "no"] = draw.choice(["sum", "no"])

    def call(xv: Variable, tv: Variable, Wv: Variable, sv: Variable) -> Variable:
        return negative_sampling(xv, tv, Wv, lambda shape: sv.array, size, reduce=reduce)

    return Case((x, t, W, drawn), call, check=(0, 2))


NEGATIVE_SAMPLING: OpDef[NegativeSamplingParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "t", "W", "samples"), float_inputs=(0, 2),
    check=_check, broadcasts=False, second_order_vjp=_vjp_recorded))


def _check_arguments(x: Array, t: Array, W: Array) -> None:
    """What must hold before the sampler is asked for anything."""
    if x.ndim != 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, D), got shape {tuple(x.shape)}")
    check_int_labels(_NAME, t)
    if t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise ShapeError(f"{_NAME}: t must have shape ({x.shape[0]},) (one label per row of x), "
                         f"got shape {tuple(t.shape)}")
    if W.ndim != 2 or W.shape[1] != x.shape[1]:
        raise ShapeError(f"{_NAME}: W must have shape (V, {x.shape[1]}) (one row of x's width per item), "
                         f"got shape {tuple(W.shape)}")
    check_label_values(_NAME, t, 0, W.shape[0], _IGNORE)


@overload
def negative_sampling(x: VariableLike, t: VariableLike, W: VariableLike, sampler: Sampler, sample_size: int,
                      reduce: Literal["sum", "no"] = "sum", *,
                      return_samples: Literal[False] = False) -> Variable: ...


@overload
def negative_sampling(x: VariableLike, t: VariableLike, W: VariableLike, sampler: Sampler, sample_size: int,
                      reduce: Literal["sum", "no"] = "sum", *,
                      return_samples: Literal[True]) -> tuple[Variable, Array]: ...


def negative_sampling(x: VariableLike, t: VariableLike, W: VariableLike, sampler: Sampler, sample_size: int,
                      reduce: Literal["sum", "no"] = "sum", *,
                      return_samples: bool = False) -> Variable | tuple[Variable, Array]:
    """Negative sampling loss of the inputs ``x`` for the labels ``t``.

    Args:
        x: Input vectors, shape ``(N, D)``.
        t: Integer labels, shape ``(N,)``, each a row of ``W`` or ``-1`` (ignored).
        W: Item vectors, shape ``(V, D)``, ``x``'s dtype.
        sampler: Called once as ``sampler((N, sample_size + 1))``; returns an
            integer array of that shape on ``x``'s device, whose columns 1 on are
            the negative samples (``fchain.utils.WalkerAlias(p).sample``).
        sample_size: Negative samples per row.
        reduce: ``'sum'`` for the summed loss, ``'no'`` for one loss per row.
        return_samples: Also return the ``(N, sample_size + 1)`` samples, whose
            first column holds the labels.

    Raises:
        ValueError: a label outside ``[0, V)`` other than -1, or a sample outside
            ``[0, V)`` (Chainer would index ``W`` from the end).
    """
    if reduce != "sum" and reduce != "no":
        raise ValueError(f"{_NAME}: only 'sum' and 'no' are valid for 'reduce', but {reduce!r} is given")
    if type(sample_size) is not int:
        sample_size = int_arg(_NAME, "sample_size", sample_size)
    if sample_size < 0:
        raise ValueError(f"{_NAME}: sample_size must be non-negative, got {sample_size}")
    if type(return_samples) is not bool:
        return_samples = bool_arg(_NAME, "return_samples", return_samples)
    if not callable(sampler):
        raise TypeError(f"{_NAME}: sampler must be callable (a function of a shape), got {type(sampler).__name__}")
    xa, ta, Wa = array_of(_NAME, "x", x), array_of(_NAME, "t", t), array_of(_NAME, "W", W)
    if xa.dtype.kind != "f" or Wa.dtype != xa.dtype:
        check_dtypes(NEGATIVE_SAMPLING, (xa, ta, Wa))  # apply's error, before the sampler draws anything
    _check_arguments(xa, ta, Wa)
    drawn = sampler((xa.shape[0], sample_size + 1))
    if isinstance(drawn, Variable) or not hasattr(drawn, "dtype"):
        raise TypeError(f"{_NAME}: the sampler must return a numpy.ndarray or cupy.ndarray, "
                        f"got {type(drawn).__name__}")
    loss = apply(NEGATIVE_SAMPLING, (x, t, W, drawn), NegativeSamplingParams(reduce, sample_size))
    if return_samples:
        return loss, _samples(backend.namespace_of(drawn), ta, drawn)
    return loss

"""The rules of ``softmax_cross_entropy``: forward and vjp for its three paths.

Hard labels on n-d scores (one-hot mask), hard labels on 2-d scores (rows picked
by index, Chainer's order of operations bit for bit) and soft targets.  See
``fchain.ops.loss.softmax_cross_entropy`` for the function and its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fchain.core import backend
from fchain.ops._common import Forwarded, Grads, Inputs
from fchain.ops._row_maxima import row_maxima
from fchain.ops.loss._checks import check_label_values, unsigned_view
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["SoftmaxCrossEntropyParams", "forward", "vjp", "vjp_recorded"]

_KL_EPS = 1e-7


@dataclass(frozen=True, slots=True, eq=False)
class SoftmaxCrossEntropyParams:
    normalize: bool
    cache_score: bool
    class_weight: Array | None
    """Already on ``x``'s device, in ``x``'s dtype, shaped ``(1, C, 1, ...)``."""
    ignore_label: int
    reduce: str
    soft: bool
    kl: bool
    rows: bool = False
    """Hard labels and a 2-d ``x``: the row-indexed path (no one-hot mask)."""
    all_valid: bool | None = False
    """Whether every label lies in ``[0, C)`` (none is ignored), as the label check
    found; ``None`` on the row path over numpy labels of at most 4 bytes, where
    the check is left to the forward: its pick by label, the labels read as
    unsigned, raises IndexError for any label outside ``[0, C)`` (a negative one
    included), and only then are the labels checked and the ignored ones masked.
    (CuPy's indexing wraps instead, and numpy reads 8-byte unsigned indices back
    as signed: those labels are checked before the forward.)"""


def _row_shape(x: Array) -> Shape:
    """``x``'s shape with the class axis reduced to 1."""
    return (x.shape[0], 1) + tuple(x.shape[2:])


def _log_softmax_parts(xp: ArrayNamespace, x: Array) -> tuple[Array, Array, Array, Array]:
    """``(m, z, e, s)``: row maximum, ``x - m``, ``exp(z)``, ``sum(e)`` over axis 1.

    Forward rules receive raw arrays only, so reductions here use array methods
    (they skip numpy's Python-level dispatch, which matters at MNIST sizes).
    """
    m = row_maxima(x) if x.ndim == 2 else x.max(axis=1, keepdims=True)
    z = x - m
    e = xp.exp(z)
    return m, z, e, e.sum(axis=1, keepdims=True)


def forward(xp: ArrayNamespace, inputs: Inputs, p: SoftmaxCrossEntropyParams) -> Forwarded:
    if p.soft:
        return _forward_soft(xp, inputs, p)
    if p.rows:
        return _forward_rows(xp, inputs, p)
    x, t = inputs
    n_class = x.shape[1]
    t1 = t.reshape(_row_shape(x))
    classes = xp.asarray(xp.reshape(xp.arange(n_class), (1, n_class) + (1,) * (x.ndim - 2)), dtype=t.dtype)
    onehot = xp.equal(t1, classes).astype(x.dtype)
    valid = xp.not_equal(t1, p.ignore_label)
    m, z, e, s = _log_softmax_parts(xp, x)
    z *= onehot  # z is this call's own temporary
    weight = valid.astype(x.dtype)
    if p.class_weight is not None:
        weight *= (p.class_weight * onehot).sum(axis=1, keepdims=True)
    per = xp.log(s) - z.sum(axis=1, keepdims=True)
    per *= weight
    if p.reduce == "mean":
        if p.normalize:
            coeff = xp.asarray(1.0 / xp.maximum(valid.sum(), 1), dtype=x.dtype)
        else:
            coeff = xp.asarray(1.0 / max(x.shape[0], 1), dtype=x.dtype)
        y = per.sum() * coeff
        scale = weight * coeff
    else:
        y = per.reshape(t.shape)
        scale = weight
    residuals: Inputs = (x, onehot, scale, m)
    if p.cache_score:
        e /= s  # e is this call's own temporary: it becomes the cached softmax
        residuals += (e,)
    return (y,), residuals


def _forward_rows(xp: ArrayNamespace, inputs: Inputs, p: SoftmaxCrossEntropyParams) -> Forwarded:
    """Hard labels, ``x`` of shape ``(N, C)``, computed in Chainer's order of
    operations so that the loss and the gradient are Chainer's to the last bit:
    ``log_y = x - (m + log(sum(exp(x - m))))``, the label entries picked by index
    (``log_y[arange(N), t]``), times the class weight, times the valid mask, summed
    and times ``-coeff``.  Written with as few array calls as that order allows:
    this runs every training step, and each call costs more than its arithmetic.

    Residuals: ``x``, the labels with ignored ones replaced by 0, the per-row factor
    ``w[t] * valid`` (a 0-d placeholder when every row has factor 1), ``coeff`` (a
    0-d array; unused with ``reduce='no'``), the row maxima, ``arange(N)`` and,
    with ``cache_score``, ``log_y`` (the vjp's ``exp(log_y)`` is Chainer's cached
    score, bit for bit, computed when it is needed).
    """
    x, t = inputs
    n = x.shape[0]
    m = row_maxima(x)
    # One (N, C) temporary serves x - m, its exp and then log_y: the operations of
    # x - (m + log(sum(exp(x - m)))), with two fewer large arrays to allocate and
    # fill (numpy and CuPy both take ``out=``).
    ops: Any = xp  # Any: ArrayNamespace declares no out= keyword
    log_y = x - m
    ops.exp(log_y, out=log_y)
    ops.subtract(x, m + xp.log(log_y.sum(axis=1, keepdims=True)), out=log_y)
    rows = xp.arange(n)
    picked = None
    if p.all_valid is None:
        try:
            picked = log_y[rows, unsigned_view(t)]
        except IndexError:  # some label is outside [0, C): ignored, or an error
            check_label_values("softmax_cross_entropy", t, 0, x.shape[1], p.ignore_label)
    elif p.all_valid:
        picked = log_y[rows, t]
    if picked is None:
        valid = xp.not_equal(t, p.ignore_label)
        labels = xp.where(valid, t, 0)
        log_p = log_y[rows, labels]
    else:
        labels, valid, log_p = t, None, picked
    factor = None
    if p.class_weight is not None:
        factor = p.class_weight.reshape(x.shape[1])[labels]
        log_p *= factor
    if valid is not None:
        mask = valid.astype(x.dtype)
        log_p *= mask
        factor = mask if factor is None else factor * mask  # exact: the mask is 0 or 1
    # coeff in float64, as Chainer's Python-float ``1 / count``: the loss multiplies
    # the sum by it rounded to the sum's dtype, the gradient multiplies ``gy * coeff``
    # (a float64 product) rounded to x's dtype.  float16 sums in float32, as Chainer.
    reduction = "float32" if x.dtype.itemsize < 4 else x.dtype
    if p.normalize and valid is not None:
        coeff = xp.asarray(1.0 / xp.maximum(valid.sum(), 1), dtype="float64")
        neg_coeff: Array | float = -coeff.astype(reduction)
    else:
        coeff_value = 1.0 / max(n, 1)
        coeff = xp.asarray(coeff_value, dtype="float64")
        # A Python float times the sum is computed in the sum's dtype (NEP 50), as
        # Chainer's ``sum * (-coeff)``: negation is exact, so this is -(float32(c)).
        neg_coeff = -coeff_value
    if p.reduce == "mean":
        y = xp.asarray(log_p.sum(dtype=reduction) * neg_coeff, dtype=x.dtype)
    else:
        y = -log_p
    residuals: Inputs = (x, labels, coeff if factor is None else factor, coeff, m, rows)
    if p.cache_score:
        residuals += (log_y,)
    return (y,), residuals


def _forward_soft(xp: ArrayNamespace, inputs: Inputs, p: SoftmaxCrossEntropyParams) -> Forwarded:
    x, t = inputs
    if t.dtype != x.dtype:
        t = xp.asarray(t, dtype=x.dtype)
    m, z, e, s = _log_softmax_parts(xp, x)
    log_y = z - xp.log(s)
    if p.kl:
        per = xp.sum(t * (xp.log(t + _KL_EPS) - log_y), axis=1, keepdims=False)
    else:
        per = -xp.sum(t * log_y, axis=1, keepdims=False)
    if p.reduce == "mean":
        y = xp.sum(per, keepdims=False) * _soft_coeff(x.shape)
    else:
        y = per
    residuals: Inputs = (x, t, m, xp.sum(t, axis=1, keepdims=True))
    if p.cache_score:
        e /= s  # e is this call's own temporary: it becomes the cached softmax
        residuals += (e,)
    return (y,), residuals


def _soft_coeff(shape: Shape) -> float:
    rows = 1
    for i, n in enumerate(shape):
        if i != 1:
            rows *= n
    return 1.0 / max(rows, 1)


def _softmax(xp: ArrayNamespace, x: Array, m: Array) -> Array:
    """``softmax(x)`` over axis 1, given the row maxima ``m``."""
    e = xp.exp(x - m)
    return e / xp.sum(e, axis=1, keepdims=True)


def _vjp_with(xp: ArrayNamespace, residuals: Inputs, gy: Array, p: SoftmaxCrossEntropyParams,
              y: Array) -> Grads:
    """The n-d hard-label and the soft-target gradient, given the softmax ``y``."""
    if p.soft:
        x, t, _, t_sum = residuals[:4]
        if p.reduce == "mean":
            g = gy * _soft_coeff(x.shape)
        else:
            g = xp.reshape(gy, _row_shape(x))
        return (y * t_sum - t) * g, None
    onehot, scale = residuals[1], residuals[2]
    if p.reduce == "mean":
        g = gy * scale
    else:
        g = xp.reshape(gy, scale.shape) * scale
    return (y - onehot) * g, None


def vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SoftmaxCrossEntropyParams) -> Grads:
    """First order: the cached softmax when there is one; the row path in place."""
    if p.rows:
        return _vjp_rows(xp, residuals, grads[0], p)
    cached_at = 4
    if len(residuals) > cached_at:
        y = residuals[cached_at]
    else:
        y = _softmax(xp, residuals[0], residuals[2 if p.soft else 3])
    return _vjp_with(xp, residuals, grads[0], p, y)


def vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs,
                 p: SoftmaxCrossEntropyParams) -> Grads:
    """Second order: the softmax recomputed from ``x`` so that it is differentiated
    (``m`` may stay a constant: softmax does not change when a constant is
    subtracted), and the row path's one-hot mask built as a constant."""
    gy = grads[0]
    x = residuals[0]
    if not p.rows:
        return _vjp_with(xp, residuals, gy, p, _softmax(xp, x, residuals[2 if p.soft else 3]))
    labels, factor, coeff, m = residuals[1:5]
    n = x.shape[0]
    lxp = backend.namespace_of(labels)  # the labels are a constant array on either path
    onehot = lxp.equal(lxp.reshape(labels, (-1, 1)), lxp.reshape(lxp.arange(x.shape[1]), (1, -1)))
    gx = _softmax(xp, x, m) - xp.asarray(onehot, dtype=x.dtype)
    if factor.ndim:
        gx = gx * xp.reshape(factor, (n, 1))
    if p.reduce == "mean":
        return gx * (gy * xp.asarray(coeff, dtype=x.dtype)), None
    return gx * xp.reshape(gy, (n, 1)), None


def _vjp_rows(xp: ArrayNamespace, residuals: Inputs, gy: Array, p: SoftmaxCrossEntropyParams) -> Grads:
    """``(softmax(x) - onehot(t)) * w[t] * valid * (gy * coeff)`` (``gy`` per row with
    ``reduce='no'``), in Chainer's order: the softmax is a new array whose label
    entries are decremented in place."""
    x, labels, factor, coeff, m, rows = residuals[:6]
    n = x.shape[0]
    if len(residuals) > 6:  # Chainer's cached score exp(log_y), made now
        gx = xp.exp(residuals[6])
    else:  # not cached: Chainer's exp(log_softmax(x)), recomputed
        gx = xp.exp(x - (m + xp.log(xp.exp(x - m).sum(axis=1, keepdims=True))))
    gx[rows, labels] -= 1
    if factor.ndim:
        gx *= factor.reshape(n, 1)
    if p.reduce == "mean":
        gx *= xp.asarray(gy * coeff, dtype=x.dtype)  # the float64 product, rounded once
    else:
        gx *= gy.reshape(n, 1)
    return gx, None

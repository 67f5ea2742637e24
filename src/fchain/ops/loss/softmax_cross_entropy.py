"""softmax_cross_entropy(x, t): cross entropy of ``softmax(x, axis=1)`` against labels ``t``.

Hard labels (integer ``t`` of shape ``(N,) + x.shape[2:]``): the loss of one element
is ``-w[t] * log_softmax(x)[t]`` (``w`` the class weights, 1 without them) and 0 where
``t == ignore_label``.  ``reduce='mean'`` sums them and divides by the number of
non-ignored labels (``normalize=True``) or by the batch size ``N``
(``normalize=False``), at least 1, so an all-ignored batch gives 0;
``reduce='no'`` returns the per-element losses (shape of ``t``).

Soft targets (floating ``t`` of the shape of ``x``): the loss of one element is
``-sum_c t_c log_softmax(x)_c`` (``'cross-entropy'``) or
``sum_c t_c (log(t_c + 1e-7) - log_softmax(x)_c)`` (``'kl-divergence'``); the mean
divides by ``x.size / x.shape[1]``, as Chainer does.  ``class_weight``,
``ignore_label`` and ``normalize`` do not apply to soft targets (Chainer ignores
them too).  The gradient used is the exact one, ``softmax(x) * sum_c t_c - t``;
Chainer uses ``softmax(x) - t``, the same for targets that sum to 1.

Forward: one log-softmax, ``(x - m) - log(sum(exp(x - m)))`` with ``m`` the maximum
over the class axis (no overflow); the label's entry is picked with a one-hot mask
(``t == arange(C)``), with no Python loop over the batch.  VJP:
``(softmax(x) - onehot(t)) * w[t] * valid * coeff * gy``.

Residuals: ``x``, the one-hot mask of the labels in ``x``'s dtype, the per-element
scale ``w[t] * valid * coeff`` (constants: they do not depend on ``x``), the row
maxima ``m`` and, when ``cache_score`` is on and ``enable_double_backprop`` off, the
softmax itself (on the 2-d path, ``log_softmax(x)``, whose ``exp`` the vjp takes:
Chainer's cached score, bit for bit).  The first-order vjp uses that cached softmax; the second-order vjp
recomputes ``exp(x - m) / sum(...)`` from ``x`` so it is differentiated (``m`` may
stay a constant: softmax does not change when a constant is subtracted).  So double backprop always works, whatever
``enable_double_backprop`` says (Chainer would raise without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from numpy import ndarray as _ndarray

from fchain.core import backend
from fchain.core.backend import NUMPY as _NUMPY
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.facade.apply import apply1, record
from fchain.facade.device import get_device_from_array
from fchain.facade.diff_namespace import DiffNamespace
from fchain.facade.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, int_arg
from fchain.ops.loss._checks import array_of, check_label_values, check_reduce
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["SOFTMAX_CROSS_ENTROPY", "SoftmaxCrossEntropyParams", "softmax_cross_entropy"]

_NAME = "softmax_cross_entropy"
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
    all_valid: bool = False
    """No label equals ``ignore_label`` (known from the label check)."""


def _row_shape(x: Array) -> Shape:
    """``x``'s shape with the class axis reduced to 1."""
    return (x.shape[0], 1) + tuple(x.shape[2:])


def _log_softmax_parts(xp: ArrayNamespace, x: Array) -> tuple[Array, Array, Array, Array]:
    """``(m, z, e, s)``: row maximum, ``x - m``, ``exp(z)``, ``sum(e)`` over axis 1.

    Forward rules receive raw arrays only, so reductions here use array methods
    (they skip numpy's Python-level dispatch, which matters at MNIST sizes).
    """
    m = x.max(axis=1, keepdims=True)
    z = x - m
    e = xp.exp(z)
    return m, z, e, e.sum(axis=1, keepdims=True)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SoftmaxCrossEntropyParams) -> Forwarded:
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
    m = x.max(axis=1, keepdims=True)
    log_y = x - (m + xp.log(xp.exp(x - m).sum(axis=1, keepdims=True)))
    rows = xp.arange(n)
    if p.all_valid:
        labels, valid = t, None
    else:
        valid = xp.not_equal(t, p.ignore_label)
        labels = xp.where(valid, t, 0)
    log_p = log_y[rows, labels]
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


def _softmax(xp: ArrayNamespace, residuals: Inputs, m_at: int, cached_at: int) -> Array:
    """The softmax of ``x``: cached on the first-order path, recomputed on the second."""
    if len(residuals) > cached_at and not isinstance(xp, DiffNamespace):
        return residuals[cached_at]
    e = xp.exp(residuals[0] - residuals[m_at])
    return e / xp.sum(e, axis=1, keepdims=True)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SoftmaxCrossEntropyParams) -> Grads:
    gy = grads[0]
    if p.soft:
        x, t, _, t_sum = residuals[:4]
        y = _softmax(xp, residuals, 2, 4)
        if p.reduce == "mean":
            g = gy * _soft_coeff(x.shape)
        else:
            g = xp.reshape(gy, _row_shape(x))
        return (y * t_sum - t) * g, None
    if p.rows:
        return _vjp_rows(xp, residuals, gy, p)
    onehot, scale = residuals[1], residuals[2]
    y = _softmax(xp, residuals, 3, 4)
    if p.reduce == "mean":
        g = gy * scale
    else:
        g = xp.reshape(gy, scale.shape) * scale
    return (y - onehot) * g, None


def _vjp_rows(xp: ArrayNamespace, residuals: Inputs, gy: Array, p: SoftmaxCrossEntropyParams) -> Grads:
    """``(softmax(x) - onehot(t)) * w[t] * valid * (gy * coeff)`` (``gy`` per row with
    ``reduce='no'``), in Chainer's order.  On arrays the softmax is a new array
    whose label entries are decremented in place; on the second-order namespace the
    one-hot mask is built (a constant) and the expression is recorded."""
    x, labels, factor, coeff, m, rows = residuals[:6]
    n = x.shape[0]
    if isinstance(xp, DiffNamespace):
        e = xp.exp(x - m)
        y = e / xp.sum(e, axis=1, keepdims=True)
        raw = labels.array if isinstance(labels, Variable) else labels
        rxp = backend.namespace_of(raw)
        onehot = rxp.equal(rxp.reshape(raw, (-1, 1)), rxp.arange(x.shape[1]).reshape(1, -1))
        gx = y - onehot.astype(x.dtype)
        if factor.ndim:
            gx = gx * xp.reshape(factor, (n, 1))
        if p.reduce == "mean":
            return gx * (gy * coeff.astype(x.dtype)), None
        return gx * xp.reshape(gy, (n, 1)), None
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


def _sample(draw: Draw) -> Case:
    n = draw.integer(1, 4)
    n_class = draw.integer(2, 5)
    extra = draw.shape(0, 1, 1, 3)
    x = draw.floats((n, n_class) + extra, -3.0, 3.0)
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    cache = draw.boolean()
    double = draw.boolean()
    if draw.integer(0, 3) == 0:
        t = draw.floats((n, n_class) + extra, 0.05, 1.0)
        if draw.boolean():
            t = t / t.sum(axis=1, keepdims=True)
        loss: Literal["cross-entropy", "kl-divergence"] = draw.choice(["cross-entropy", "kl-divergence"])
        return Case((x, t), lambda xv, tv: softmax_cross_entropy(
            xv, tv, cache_score=cache, reduce=reduce, enable_double_backprop=double,
            soft_target_loss=loss), check=(0,), label="soft")
    ignore = draw.choice([-1, 0])
    t = draw.integers((n,) + extra, -1 if ignore == -1 else 0, n_class - 1)
    normalize = draw.boolean()
    weight = draw.floats((n_class,), 0.25, 2.0) if draw.boolean() else None
    return Case((x, t), lambda xv, tv: softmax_cross_entropy(
        xv, tv, normalize=normalize, cache_score=cache, class_weight=weight, ignore_label=ignore,
        reduce=reduce, enable_double_backprop=double), check=(0,), label="labels")


SOFTMAX_CROSS_ENTROPY: OpDef[SoftmaxCrossEntropyParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), float_inputs=(0,), broadcasts=False))


def _class_weight(class_weight: object, x: Array) -> Array:
    if isinstance(class_weight, Variable):
        raise TypeError(f"{_NAME}: class_weight must be a numpy.ndarray or cupy.ndarray, not a Variable")
    w = array_of(_NAME, "class_weight", class_weight)  # type: ignore[arg-type]  # checked by array_of
    if w.dtype.kind != "f":
        raise DTypeError(f"{_NAME}: class_weight must be a floating-point array, got dtype {w.dtype}")
    if w.ndim != 1 or w.shape[0] != x.shape[1]:
        raise ShapeError(
            f"{_NAME}: class_weight must have shape ({x.shape[1]},) (one weight per class of x), "
            f"got shape {tuple(w.shape)}")
    w = get_device_from_array(x).send(w)
    xp = backend.namespace_of(x)
    return xp.reshape(xp.asarray(w, dtype=x.dtype), (1, x.shape[1]) + (1,) * (x.ndim - 2))


def softmax_cross_entropy(
        x: VariableLike, t: VariableLike, normalize: bool = True, cache_score: bool = True,
        class_weight: Array | None = None, ignore_label: int = -1,
        reduce: Literal["mean", "no"] = "mean", enable_double_backprop: bool = False,
        soft_target_loss: Literal["cross-entropy", "kl-divergence"] = "cross-entropy") -> Variable:
    """Cross entropy loss of pre-softmax scores ``x`` (class axis 1) against ``t``.

    Args:
        x: Scores of shape ``(N, C)`` or ``(N, C, d1, ...)``.
        t: Integer labels of shape ``(N,)`` or ``(N, d1, ...)``, each in ``[0, C)`` or
            equal to ``ignore_label``; or, when floating, soft targets of ``x``'s shape.
        normalize: With ``reduce='mean'``, divide by the number of non-ignored labels
            (True) or by ``N`` (False).
        cache_score: Keep the softmax from the forward pass for the backward pass.
        class_weight: Per-class weights, shape ``(C,)``, multiplied into each loss.
        ignore_label: Label value whose elements contribute nothing.
        reduce: ``'mean'`` for a scalar, ``'no'`` for the per-element losses.
        enable_double_backprop: Accepted for Chainer compatibility; second order
            always works (it only disables ``cache_score``, as in Chainer).
        soft_target_loss: ``'cross-entropy'`` or ``'kl-divergence'`` for soft targets.

    Returns:
        The loss: a scalar, or an array of ``t``'s shape (``reduce='no'``).

    Raises:
        ValueError: a label outside ``[0, C)`` that is not ``ignore_label``, or a bad
            ``reduce`` / ``soft_target_loss``.
        ShapeError: ``t`` (or ``class_weight``) does not match ``x``.

    >>> import numpy as np
    >>> x = np.array([[-1, 0, 1, 2], [2, 0, 1, -1]], dtype=np.float32)
    >>> t = np.array([3, 0], dtype=np.int32)
    >>> float(softmax_cross_entropy(x, t).array)  # doctest: +ELLIPSIS
    0.440189...
    """
    if (type(t) is _ndarray and class_weight is None and reduce == "mean" and ignore_label == -1
            and normalize is True and cache_score is True and enable_double_backprop is False
            and soft_target_loss == "cross-entropy"):
        # The call of every training step (``L.Classifier``'s): default arguments,
        # 2-d numpy scores and 1-d integer labels.  Anything else, every mismatch
        # included, takes the checks below.
        x_var = x if type(x) is Variable else None
        xa = x_var._data if x_var is not None else x
        if (type(xa) is _ndarray and xa.ndim == 2 and t.ndim == 1
                and t.shape[0] == xa.shape[0] and xa.dtype.kind == "f" and t.size):
            labels = _as_unsigned(t)
            if labels is not None:
                # Read as unsigned, a negative label (an ignored -1 included) is past
                # every class, so the forward's pick by label raises IndexError for
                # every label outside [0, C): the range check costs nothing, and such
                # a batch goes on to the checked path.
                try:
                    return record(SOFTMAX_CROSS_ENTROPY, _FAST_PARAMS, _NUMPY, (xa, labels),
                                  (x_var, None), x_var is not None and x_var.requires_grad)
                except IndexError:
                    pass
    check_reduce(_NAME, reduce)
    if type(ignore_label) is not int:
        ignore_label = int_arg(_NAME, "ignore_label", ignore_label)
    if type(normalize) is not bool:
        normalize = bool_arg(_NAME, "normalize", normalize)
    if type(cache_score) is not bool:
        cache_score = bool_arg(_NAME, "cache_score", cache_score)
    if type(enable_double_backprop) is not bool:
        enable_double_backprop = bool_arg(_NAME, "enable_double_backprop", enable_double_backprop)
    if soft_target_loss not in ("cross-entropy", "kl-divergence"):
        raise ValueError(f"{_NAME}: soft_target_loss must be 'cross-entropy' or 'kl-divergence', "
                         f"got {soft_target_loss!r}")
    xa = array_of(_NAME, "x", x)
    ta = array_of(_NAME, "t", t)
    if xa.dtype.kind != "f":
        raise DTypeError(f"{_NAME}: x must be a floating-point array, got dtype {xa.dtype}")
    if xa.ndim < 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, C) or (N, C, d1, ...), got shape {tuple(xa.shape)}")
    weight = None
    if ta.dtype.kind == "f":
        if tuple(ta.shape) != tuple(xa.shape):
            raise ShapeError(f"{_NAME}: soft targets t must have x's shape {tuple(xa.shape)}, "
                             f"got shape {tuple(ta.shape)}")
        if ta.dtype != xa.dtype:
            ta = backend.namespace_of(ta).asarray(ta, dtype=xa.dtype)
        soft = True
        all_valid = False
    elif ta.dtype.kind in "iu":
        expected = (xa.shape[0],) + tuple(xa.shape[2:])
        if tuple(ta.shape) != expected:
            raise ShapeError(f"{_NAME}: t has shape {tuple(ta.shape)} but x has shape {tuple(xa.shape)}; "
                             f"expected t of shape {expected}")
        in_range = check_label_values(_NAME, ta, 0, xa.shape[1], ignore_label)
        all_valid = in_range and not 0 <= ignore_label < xa.shape[1]
        if class_weight is not None:
            weight = _class_weight(class_weight, xa)
        soft = False
    else:
        raise DTypeError(f"{_NAME}: t must hold integer labels or floating soft targets, got dtype {ta.dtype}")
    key = (normalize, cache_score and not enable_double_backprop, ignore_label, reduce, soft,
           soft_target_loss == "kl-divergence", not soft and xa.ndim == 2, all_valid)
    if weight is None:
        params = _PARAMS.get(key)
        if params is None:
            params = _PARAMS[key] = _params(key, None)
    else:
        params = _params(key, weight)
    return apply1(SOFTMAX_CROSS_ENTROPY, (x, ta), params)


_ParamsKey = tuple[bool, bool, int, str, bool, bool, bool, bool]
_PARAMS: dict[_ParamsKey, SoftmaxCrossEntropyParams] = {}
"""The parameters of calls without class weights, built once per combination (a
handful in any program): the loss is called every iteration."""


def _params(key: _ParamsKey, weight: Array | None) -> SoftmaxCrossEntropyParams:
    normalize, cache, ignore_label, reduce, soft, kl, rows, all_valid = key
    return SoftmaxCrossEntropyParams(normalize, cache, weight, ignore_label, reduce, soft, kl,
                                     rows=rows, all_valid=all_valid)


_FAST_PARAMS = _PARAMS[(True, True, -1, "mean", False, False, True, True)] = _params(
    (True, True, -1, "mean", False, False, True, True), None)
"""The parameters of the default call on 2-d scores whose labels are all in range."""

_UNSIGNED = {1: "uint8", 2: "uint16", 4: "uint32"}


def _as_unsigned(t: _ndarray) -> _ndarray | None:
    """The integer labels ``t`` read as unsigned integers of the same size (a view),
    or ``None`` when ``t`` does not hold integers.

    For 8-byte labels, which numpy's indexing would convert back to signed (a label
    of -1 picking the last class), the labels themselves once their unsigned
    maximum shows all of them in range, else ``None``.
    """
    kind = t.dtype.kind
    size = t.dtype.itemsize
    if kind == "i":
        unsigned = _UNSIGNED.get(size)
        if unsigned is not None:
            return t.view(unsigned)
        return t if int(t.view("uint64").max()) <= _INT64_MAX else None
    if kind == "u":
        return t if size < 8 or int(t.max()) <= _INT64_MAX else None
    return None


_INT64_MAX = 2**63 - 1

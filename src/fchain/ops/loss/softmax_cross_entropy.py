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

from typing import Literal

from numpy import ndarray as _ndarray

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.device import get_device_from_array
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, bool_arg, int_arg
from fchain.ops.loss._checks import array_of, check_label_values, check_reduce
from fchain.ops.loss._softmax_cross_entropy_rules import (
    SoftmaxCrossEntropyParams,
    forward,
    vjp,
    vjp_recorded,
)
from fchain.types import Array

__all__ = ["SOFTMAX_CROSS_ENTROPY", "SoftmaxCrossEntropyParams", "softmax_cross_entropy"]

_NAME = "softmax_cross_entropy"


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


def _class_weight(class_weight: object, x: Array) -> Array:
    """``class_weight`` checked against ``x`` and made ready for the rules: on x's
    device, in x's dtype, shaped ``(1, C, 1, ...)``."""
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


def _forward_checks_labels(t: Array, n_class: int, p: SoftmaxCrossEntropyParams) -> bool:
    """Whether the row path's forward may check the integer labels ``t`` itself
    (``all_valid=None``): numpy labels of at most 4 bytes, no class weights, and an
    ``ignore_label`` that is not a class."""
    return (p.class_weight is None and type(t) is _ndarray and t.dtype.itemsize < 8
            and not 0 <= p.ignore_label < n_class)


def _check(arrays: tuple[Array, ...], p: SoftmaxCrossEntropyParams) -> SoftmaxCrossEntropyParams:
    """Check ``x`` and ``t`` (shapes, label values, class weights) and return the
    parameters of the path the rules take: soft or hard targets, the row path for
    2-d scores, and whether every label counts (none equals ``ignore_label``)."""
    x, t = arrays
    if (p.all_valid is None and x.ndim == 2 and t.ndim == 1 and len(t) == len(x) and t.dtype.kind in "iu"
            and _forward_checks_labels(t, x.shape[1], p)):
        return p  # the usual call
    if x.ndim < 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, C) or (N, C, d1, ...), got shape {tuple(x.shape)}")
    kind = t.dtype.kind
    if kind == "f":
        if t.shape != x.shape:
            raise ShapeError(f"{_NAME}: soft targets t must have x's shape {tuple(x.shape)}, "
                             f"got shape {tuple(t.shape)}")
        return _variant(p, True, False, False, None)
    if kind not in "iu":
        raise DTypeError(f"{_NAME}: t must hold integer labels or floating soft targets, got dtype {t.dtype}")
    n_class = x.shape[1]
    if not (x.ndim == 2 and t.ndim == 1 and t.shape[0] == x.shape[0]):
        expected = (x.shape[0],) + tuple(x.shape[2:])
        if tuple(t.shape) != expected:
            raise ShapeError(f"{_NAME}: t has shape {tuple(t.shape)} but x has shape {tuple(x.shape)}; "
                             f"expected t of shape {expected}")
    rows = x.ndim == 2
    if rows and _forward_checks_labels(t, n_class, p):
        return _variant(p, False, True, None, None)
    in_range = check_label_values(_NAME, t, 0, n_class, p.ignore_label)
    all_valid = in_range and not 0 <= p.ignore_label < n_class
    if p.class_weight is not None:
        return _variant(p, False, rows, all_valid, _class_weight(p.class_weight, x))
    if p.rows is rows and p.all_valid is all_valid:
        return p
    return _variant(p, False, rows, all_valid, None)


SOFTMAX_CROSS_ENTROPY: OpDef[SoftmaxCrossEntropyParams] = register(OpDef(
    _NAME, forward, vjp, GradSpec(_sample), arg_names=("x", "t"), check=_check, float_inputs=(0,),
    broadcasts=False, second_order_vjp=vjp_recorded))


def softmax_cross_entropy(
        x: VariableLike, t: VariableLike, normalize: bool = True, cache_score: bool = True,
        class_weight: Array | None = None, ignore_label: int = -1,
        reduce: Literal["mean", "no"] = "mean", enable_double_backprop: bool = False,
        soft_target_loss: Literal["cross-entropy", "kl-divergence"] = "cross-entropy") -> Variable:
    """Cross entropy loss of pre-softmax scores ``x`` (class axis 1) against ``t``.

    Args:
        x: Scores of shape ``(N, C)`` or ``(N, C, d1, ...)``.
        t: Integer labels of shape ``(N,)`` or ``(N, d1, ...)``, each in ``[0, C)`` or
            equal to ``ignore_label``; or, when floating, soft targets of ``x``'s shape
            (computed in ``x``'s dtype).
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
    if (normalize is True and cache_score is True and class_weight is None and type(ignore_label) is int
            and ignore_label == -1 and reduce == "mean" and enable_double_backprop is False
            and soft_target_loss == "cross-entropy"):
        return apply(SOFTMAX_CROSS_ENTROPY, (x, t), _DEFAULT_PARAMS)  # every argument Chainer's default
    if reduce != "mean" and reduce != "no":
        check_reduce(_NAME, reduce)
    if type(ignore_label) is not int:
        ignore_label = int_arg(_NAME, "ignore_label", ignore_label)
    if type(normalize) is not bool:
        normalize = bool_arg(_NAME, "normalize", normalize)
    if type(cache_score) is not bool:
        cache_score = bool_arg(_NAME, "cache_score", cache_score)
    if type(enable_double_backprop) is not bool:
        enable_double_backprop = bool_arg(_NAME, "enable_double_backprop", enable_double_backprop)
    if soft_target_loss != "cross-entropy" and soft_target_loss != "kl-divergence":
        raise ValueError(f"{_NAME}: soft_target_loss must be 'cross-entropy' or 'kl-divergence', "
                         f"got {soft_target_loss!r}")
    # The parameters of the usual call (hard labels, 2-d scores, labels checked by
    # the forward), which ``_check`` confirms or replaces once it has seen the arrays.
    key = (normalize, cache_score and not enable_double_backprop, ignore_label, reduce,
           False, soft_target_loss == "kl-divergence", True, None)
    if class_weight is None:
        params = _PARAMS.get(key)
        if params is None:
            params = _PARAMS[key] = _params(key, None)
    else:
        params = _params(key, class_weight)  # checked and converted by ``_check``
    return apply(SOFTMAX_CROSS_ENTROPY, (x, t), params)


_ParamsKey = tuple[bool, bool, int, str, bool, bool, bool, bool | None]
_PARAMS: dict[_ParamsKey, SoftmaxCrossEntropyParams] = {}
"""The parameters of calls without class weights, built once per combination (a
handful in any program): the loss is called every iteration."""


def _params(key: _ParamsKey, weight: Array | None) -> SoftmaxCrossEntropyParams:
    normalize, cache, ignore_label, reduce, soft, kl, rows, all_valid = key
    return SoftmaxCrossEntropyParams(normalize, cache, weight, ignore_label, reduce, soft, kl,
                                     rows=rows, all_valid=all_valid)


_DEFAULT_KEY: _ParamsKey = (True, True, -1, "mean", False, False, True, None)
_DEFAULT_PARAMS = _PARAMS[_DEFAULT_KEY] = _params(_DEFAULT_KEY, None)
"""The parameters of a call with every argument at its default (the usual training
loss): the entry ``_PARAMS`` holds for it, found without building its key."""


def _variant(p: SoftmaxCrossEntropyParams, soft: bool, rows: bool, all_valid: bool | None,
             weight: Array | None) -> SoftmaxCrossEntropyParams:
    """``p`` for the path the arrays call for (cached unless there are class weights)."""
    key = (p.normalize, p.cache_score, p.ignore_label, p.reduce, soft, p.kl, rows, all_valid)
    if weight is not None:
        return _params(key, weight)
    found = _PARAMS.get(key)
    if found is None:
        found = _PARAMS[key] = _params(key, None)
    return found

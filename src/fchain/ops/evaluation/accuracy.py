"""accuracy(y, t, ignore_label=None): fraction of ``argmax(y, axis=1) == t``.

Not differentiable (a count of matches).  With ``ignore_label``, elements whose
label equals it are left out of both counts; a batch with every label ignored has
accuracy 0 (Chainer's convention).  The result is a scalar of ``y``'s dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

from numpy import ndarray as _ndarray

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, NotDifferentiable
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg
from fchain.ops.loss._checks import check_int_labels
from fchain.types import ArrayNamespace

__all__ = ["ACCURACY", "AccuracyParams", "accuracy"]

_NAME = "accuracy"


@dataclass(frozen=True, slots=True)
class AccuracyParams:
    ignore_label: int | None


_PLAIN = AccuracyParams(None)

_EXACT_COUNT = {4: 2**24, 8: 2**53}
"""By the itemsize of a float dtype: the largest count it holds exactly."""


def _forward(xp: ArrayNamespace, inputs: Inputs, p: AccuracyParams) -> Forwarded:
    y, t = inputs
    pred = y.argmax(axis=1)  # forward rules get arrays: their methods skip numpy's dispatch
    if pred.shape != t.shape:
        pred = pred.reshape(t.shape)
    hit = pred == t
    if p.ignore_label is None:
        # Chainer's ``hit.mean(dtype=y.dtype)`` as numpy computes it, without its
        # Python-level wrapper: the count summed in y's dtype, divided in float64 by
        # the number of elements (float16 could not even hold that number), then
        # rounded to y's dtype.  An empty batch gives nan, as the mean does.
        dtype = y.dtype
        size = hit.size
        if type(hit) is _ndarray and 0 < size <= _EXACT_COUNT.get(dtype.itemsize, 0):
            # Below 2**24 (float32) or 2**53 (float64) matches, the count summed in
            # y's dtype is the integer count: the same quotient, with fewer calls.
            return (xp.asarray(int(hit.sum()) / size, dtype=dtype),), ()
        total = hit.sum(dtype=dtype).astype("float64")
        return (xp.asarray(total / hit.size if hit.size else total * float("nan"), dtype=dtype),), ()
    else:
        valid = xp.not_equal(t, p.ignore_label)
        correct = xp.sum(xp.logical_and(hit, valid), keepdims=False)
        value = correct / xp.maximum(xp.sum(valid, keepdims=False), 1)
    return (xp.asarray(value, dtype=y.dtype),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: AccuracyParams) -> Grads:
    return None, None


def _sample(draw: Draw) -> Case:
    n = draw.integer(1, 5)
    n_class = draw.integer(2, 4)
    extra = draw.shape(0, 1, 1, 3)
    y = draw.distinct((n, n_class) + extra)
    t = draw.integers((n,) + extra, -1, n_class - 1)
    ignore = draw.choice([None, -1])
    return Case((y, t), lambda yv, tv: accuracy(yv, tv, ignore_label=ignore))


def _check(arrays: Inputs, p: AccuracyParams) -> AccuracyParams:
    y, t = arrays
    if y.ndim == 2 and t.ndim == 1 and len(t) == len(y) and t.dtype.kind in "iu":
        return p  # a batch of scores and its labels: the usual call, in one test
    check_int_labels(_NAME, t)
    ys, ts = tuple(y.shape), tuple(t.shape)
    if not (1 <= len(ts) < len(ys) and ys[0] == ts[0] and ys[2:len(ts) + 1] == ts[1:]
            and all(n == 1 for n in ys[len(ts) + 1:])):
        raise ShapeError(f"{_NAME}: t has shape {ts} but y has shape {ys}; expected t of shape "
                         "(y.shape[0],) + y.shape[2:] (trailing axes of y of size 1 may be dropped)")
    return p


ACCURACY: OpDef[AccuracyParams] = register(OpDef(
    _NAME, _forward, _vjp,
    NotDifferentiable("accuracy counts exact matches of an argmax: a step function of y, "
                      "whose gradient is zero almost everywhere", _sample),
    arg_names=("y", "t"), check=_check, float_inputs=(0,)))


def accuracy(y: VariableLike, t: VariableLike, ignore_label: int | None = None) -> Variable:
    """Multiclass accuracy of scores ``y`` (class axis 1) against integer labels ``t``.

    ``t`` has shape ``(N,) + y.shape[2:k]`` where any axes of ``y`` after those are
    of size 1.  Returns a scalar Variable of ``y``'s dtype.

    >>> import numpy as np
    >>> y = np.array([[0.1, 0.7, 0.2], [8.0, 1.0, 2.0], [-8.0, 1.0, 2.0], [-8.0, -1.0, -2.0]])
    >>> float(accuracy(y, np.array([1, 0, 0, 0], np.int32)).array)
    0.5
    >>> float(accuracy(y, np.array([1, 0, 0, 0], np.int32), ignore_label=0).array)
    1.0
    """
    if ignore_label is None:
        params = _PLAIN
    else:
        params = AccuracyParams(ignore_label if type(ignore_label) is int
                                else int_arg(_NAME, "ignore_label", ignore_label))
    return apply(ACCURACY, (y, t), params)

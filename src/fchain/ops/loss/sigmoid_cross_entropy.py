"""sigmoid_cross_entropy(x, t): cross entropy of ``sigmoid(x)`` against 0/1 labels.

One element's loss is ``log(1 + exp(-|x|)) + max(x, 0) - x * t``, which equals
``-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))`` without overflow, and 0 where
``t == -1`` (ignored).  ``reduce='mean'`` sums and divides by the number of
non-ignored labels (``normalize=True``) or by ``x.shape[0]`` (``normalize=False``),
at least 1, so an all-ignored batch gives 0; ``reduce='no'`` returns the
elementwise losses (shape of ``x``).

VJP: ``(sigmoid(x) - t) * valid * coeff * gy``, with ``sigmoid`` computed from
``e = exp(-|x|)`` (never overflows) as ``1 / (1 + e)`` for ``x >= 0`` and
``e / (1 + e)`` otherwise.  Residuals: ``x`` and two constants that do not depend on
``x`` (the labels as floats and the scale ``valid * coeff``), so double backprop
differentiates through ``x`` only, as it should.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg
from fchain.ops.loss._checks import (array_of, check_int_labels, check_label_values, check_reduce,
                                     check_same_shape)
from fchain.types import ArrayNamespace

__all__ = ["SIGMOID_CROSS_ENTROPY", "SigmoidCrossEntropyParams", "sigmoid_cross_entropy"]

_NAME = "sigmoid_cross_entropy"
_IGNORE = -1


@dataclass(frozen=True, slots=True)
class SigmoidCrossEntropyParams:
    normalize: bool
    reduce: str


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SigmoidCrossEntropyParams) -> Forwarded:
    x, t = inputs
    valid = xp.not_equal(t, _IGNORE)
    tf = xp.asarray(t, dtype=x.dtype)
    validf = xp.asarray(valid, dtype=x.dtype)
    loss = (xp.log1p(xp.exp(-xp.absolute(x))) + xp.maximum(x, 0.0) - x * tf) * validf
    if p.reduce == "mean":
        if p.normalize:
            count = xp.maximum(xp.sum(valid, keepdims=False), 1)
            coeff = xp.asarray(1.0 / count, dtype=x.dtype)
        else:
            coeff = xp.asarray(1.0 / max(x.shape[0] if x.ndim else 1, 1), dtype=x.dtype)
        return (xp.sum(loss, keepdims=False) * coeff,), (x, tf, validf * coeff)
    return (loss,), (x, tf, validf)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SigmoidCrossEntropyParams) -> Grads:
    x, tf, scale = residuals
    gy = grads[0]
    pos = xp.greater_equal(x, 0.0).astype(gy.dtype)
    e = xp.exp(x * (1.0 - 2.0 * pos))  # exp(-|x|), written so it differentiates again
    sig = (pos + (1.0 - pos) * e) / (1.0 + e)
    return (sig - tf) * (gy * scale), None


def _sample(draw: Draw) -> Case:
    shape = draw.shape(1, 3)
    x = draw.floats(shape, -4.0, 4.0)
    t = draw.integers(shape, -1, 1)
    normalize = draw.boolean()
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    return Case((x, t), lambda xv, tv: sigmoid_cross_entropy(xv, tv, normalize=normalize, reduce=reduce),
                check=(0,))


SIGMOID_CROSS_ENTROPY: OpDef[SigmoidCrossEntropyParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "t"), float_inputs=(0,)))


def sigmoid_cross_entropy(x: VariableLike, t: VariableLike, normalize: bool = True,
                          reduce: Literal["mean", "no"] = "mean") -> Variable:
    """Cross entropy loss of pre-sigmoid scores ``x`` against labels ``t`` in {0, 1}.

    Args:
        x: Scores (logits), any shape.
        t: Integer labels of ``x``'s shape: 1 positive, 0 negative, -1 ignored.
        normalize: With ``reduce='mean'``, divide by the number of non-ignored labels
            (True) or by ``x.shape[0]`` (False).
        reduce: ``'mean'`` for a scalar, ``'no'`` for the elementwise losses.

    Returns:
        The loss: a scalar, or an array of ``x``'s shape (``reduce='no'``).

    >>> import numpy as np
    >>> x = np.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=np.float32)
    >>> t = np.array([[0, 1, 0], [1, 1, -1]], dtype=np.int32)
    >>> round(float(sigmoid_cross_entropy(x, t).array), 6)
    0.256647
    """
    check_reduce(_NAME, reduce)
    if type(normalize) is not bool:
        normalize = bool_arg(_NAME, "normalize", normalize)
    xa = array_of(_NAME, "x", x)
    ta = array_of(_NAME, "t", t)
    if xa.dtype.kind != "f":
        raise DTypeError(f"{_NAME}: x must be a floating-point array, got dtype {xa.dtype}")
    check_int_labels(_NAME, ta)
    check_same_shape(_NAME, "x", xa, "t", ta)
    check_label_values(_NAME, ta, 0, 2, _IGNORE)
    return apply(SIGMOID_CROSS_ENTROPY, (x, ta), SigmoidCrossEntropyParams(normalize, reduce))

"""binary_accuracy(y, t): fraction of ``(y >= 0) == t`` over the labels that are not -1.

``y`` holds logits: the prediction is 1 where ``y >= 0`` (so ``y == 0`` predicts 1)
and 0 otherwise.  Labels ``t == -1`` are ignored; a batch with every label ignored
has accuracy 0.  Not differentiable.  The result is a scalar of ``y``'s dtype.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, NotDifferentiable
from fchain.errors import DTypeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.loss._checks import array_of, check_int_labels, check_same_shape
from fchain.types import ArrayNamespace

__all__ = ["BINARY_ACCURACY", "binary_accuracy"]

_NAME = "binary_accuracy"
_IGNORE = -1


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    y, t = inputs
    correct = xp.sum(xp.equal(xp.greater_equal(y, 0.0), t), keepdims=False)
    count = xp.maximum(xp.sum(xp.not_equal(t, _IGNORE), keepdims=False), 1)
    return (xp.asarray(correct / count, dtype=y.dtype),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    return None, None


def _sample(draw: Draw) -> Case:
    shape = draw.shape(1, 3)
    return Case((draw.floats(shape, kinks=(0.0,)), draw.integers(shape, -1, 1)), binary_accuracy)


BINARY_ACCURACY: OpDef[None] = register(OpDef(
    _NAME, _forward, _vjp,
    NotDifferentiable("binary_accuracy counts matches of a threshold of y: a step function, "
                      "whose gradient is zero almost everywhere", _sample),
    arg_names=("y", "t"), float_inputs=(0,)))


def binary_accuracy(y: VariableLike, t: VariableLike) -> Variable:
    """Binary accuracy of logits ``y`` against labels ``t`` (1, 0, or -1 ignored), same shape.

    >>> import numpy as np
    >>> y = np.array([[-2.0, 0.0], [3.0, -5.0]])
    >>> float(binary_accuracy(y, np.array([[0, 0], [1, 1]], np.int32)).array)
    0.5
    """
    ya = array_of(_NAME, "y", y)
    ta = array_of(_NAME, "t", t)
    if ya.dtype.kind != "f":
        raise DTypeError(f"{_NAME}: y must be a floating-point array of logits, got dtype {ya.dtype}")
    check_int_labels(_NAME, ta)
    check_same_shape(_NAME, "y", ya, "t", ta)
    return apply(BINARY_ACCURACY, (y, ta), None)

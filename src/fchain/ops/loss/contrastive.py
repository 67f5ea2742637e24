"""contrastive(x0, x1, y, margin=1, reduce='mean'): the contrastive loss of pairs.

With ``d[n] = ||x0[n] - x1[n]||`` one pair's loss is ``d**2 / 2`` for a similar
pair (``y[n] == 1``) and ``max(margin - d, 0)**2 / 2`` for a dissimilar one
(``y[n] == 0``); ``reduce='mean'`` averages over the ``N`` pairs, ``'no'`` keeps them.

The forward is Chainer's expression, evaluated as Chainer evaluates it: the integer
labels promote the combination of the two branches to float64 (numpy's rule for an
int32 times a float32 array), which is rounded to the inputs' dtype at the end.
VJP (Chainer's, in its order of rounding): ``gx0 = a y (x0 - x1) - a (1 - y)
max(margin - d, 0) (x0 - x1) / max(d, eps)``, ``gx1 = -gx0``, with ``a = gy / N``
for the mean (``gy[n]`` per pair with ``'no'``) and ``eps = 1e-7`` (``5e-3`` in
float16).  Conventions: at ``d == margin`` a dissimilar pair's gradient is 0 (the
hinge is 0 there), and at ``d == 0`` (``x0 == x1``) every gradient is 0 (the
``eps`` keeps the division finite).  Residuals: ``x0``, ``x1`` and the labels; everything else is
recomputed, so double backprop differentiates it (as Chainer 7's does); the labels
are kept as a float column, a constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, real_arg
from fchain.ops.loss._checks import check_int_labels, check_label_values, check_reduce, check_same_shape
from fchain.types import Array, ArrayNamespace

__all__ = ["CONTRASTIVE", "ContrastiveParams", "contrastive"]

_NAME = "contrastive"


@dataclass(frozen=True, slots=True)
class ContrastiveParams:
    margin: float
    reduce: str


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ContrastiveParams) -> Forwarded:
    x0, x1, y = inputs
    dist_sq = xp.sum(xp.square(x0 - x1), axis=1, keepdims=False)
    hinge = xp.maximum(p.margin - xp.sqrt(dist_sq), 0)
    loss = (y * dist_sq + (1 - y) * hinge * hinge) * 0.5  # float64 for int32 labels, as in Chainer
    if p.reduce == "mean":
        loss = xp.sum(loss, keepdims=False) / x0.shape[0]
    labels = xp.reshape(xp.asarray(y, dtype=x0.dtype), (-1, 1))  # a new array: a constant to double backprop
    return (xp.asarray(loss, dtype=x0.dtype),), (x0, x1, labels)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ContrastiveParams) -> Grads:
    x0, x1, labels = residuals
    gy = grads[0]
    diff = x0 - x1
    dist = xp.sqrt(xp.sum(xp.square(diff), axis=1, keepdims=True))
    hinge = xp.maximum(p.margin - dist, 0)
    alpha = gy * (1.0 / x0.shape[0]) if p.reduce == "mean" else xp.reshape(gy, (-1, 1))
    eps = 5e-3 if x0.dtype == xp.float16 else 1e-7
    similar = alpha * labels
    dissimilar = alpha * (1 - labels)
    gx0 = similar * diff + (dissimilar * hinge) * -(diff / xp.maximum(dist, eps))
    return gx0, -gx0, None


def _check(arrays: tuple[Array, ...], p: ContrastiveParams) -> ContrastiveParams:
    x0, x1, y = arrays
    if x0.ndim != 2:
        raise ShapeError(f"{_NAME}: x0 must have shape (N, K), got shape {tuple(x0.shape)}")
    check_same_shape(_NAME, "x0", x0, "x1", x1)
    if x0.shape[0] == 0:
        raise ShapeError(f"{_NAME}: x0 must hold at least one pair, got shape {tuple(x0.shape)}")
    check_int_labels(_NAME, y, "y")
    if y.ndim != 1 or y.shape[0] != x0.shape[0]:
        raise ShapeError(f"{_NAME}: y must have shape ({x0.shape[0]},) (one label per pair), "
                         f"got shape {tuple(y.shape)}")
    check_label_values(_NAME, y, 0, 2, None, "y")
    return p


def _sample(draw: Draw) -> Case:
    n, k = draw.integer(1, 4), draw.integer(1, 4)
    margin = draw.choice([0.5, 1.0, 2.0])
    x0 = draw.floats((n, k))
    direction = draw.floats((n, k), kinks=(0.0,))
    direction = direction / (direction * direction).sum(axis=1, keepdims=True) ** 0.5
    # distances off the kinks d == 0 and d == margin
    dist = draw.floats((n, 1), 0.1, 2.0 * margin, kinks=(margin,))
    y = draw.integers((n,), 0, 1)
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    return Case((x0, x0 - direction * dist, y),
                lambda a, b, c: contrastive(a, b, c, margin=margin, reduce=reduce), check=(0, 1))


CONTRASTIVE: OpDef[ContrastiveParams] = register(OpDef(
    _NAME, _forward, _vjp,
    GradSpec(_sample, conventions=("a dissimilar pair's gradient is 0 at d == margin",
                                   "every gradient is 0 at d == 0 (x0 == x1)")),
    arg_names=("x0", "x1", "y"), float_inputs=(0, 1), check=_check, broadcasts=False))


def contrastive(x0: VariableLike, x1: VariableLike, y: VariableLike, margin: float = 1,
                reduce: Literal["mean", "no"] = "mean") -> Variable:
    """The contrastive loss of the pairs ``(x0[n], x1[n])`` with labels ``y``.

    Args:
        x0: First items, shape ``(N, K)``, ``N > 0``.
        x1: Second items, ``x0``'s shape and dtype.
        y: Integer labels of shape ``(N,)``: 1 for a similar pair, 0 for a
            dissimilar one.
        margin: Distance beyond which a dissimilar pair costs nothing; positive.
        reduce: ``'mean'`` for the mean over the pairs, ``'no'`` for each pair's loss.

    Raises:
        ValueError: ``margin`` is not positive, a label is neither 0 nor 1, or a
            bad ``reduce``.

    >>> import numpy as np
    >>> x0 = np.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=np.float32)
    >>> x1 = np.array([[-1.0, 3.0, 1.0], [3.5, 0.5, -2.0]], dtype=np.float32)
    >>> y = np.array([1, 0], dtype=np.int32)
    >>> float(contrastive(x0, x1, y).array)
    0.3125
    """
    m = margin if type(margin) is float else real_arg(_NAME, "margin", margin)
    if not m > 0.0:
        raise ValueError(f"{_NAME}: margin should be positive value, got {margin!r}")
    check_reduce(_NAME, reduce)
    return apply(CONTRASTIVE, (x0, x1, y), ContrastiveParams(m, reduce))

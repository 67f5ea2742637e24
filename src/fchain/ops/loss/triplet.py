"""triplet(anchor, positive, negative, margin=0.2, reduce='mean'): the triplet loss.

One triplet's loss is ``max(||a - p||^2 - ||a - n||^2 + margin, 0)``, summed over
the feature axis in one pass (``sum((a - p)^2 - (a - n)^2) + margin``, Chainer's
order of rounding); ``reduce='mean'`` averages over the ``N`` triplets, ``'no'``
keeps them.

VJP (Chainer's order): with ``c = 2 g * [loss > 0]`` (``g = gy / N`` for the mean,
``gy[n]`` per triplet with ``'no'``): ``ga = c (n - p)``, ``gp = c (p - a)``,
``gn = c (a - n)``.  Convention at the kink (the hinge exactly 0): no gradient
(the mask is ``loss > 0``).  Residuals: the inputs and the 0/1 mask, a constant
(its derivative is 0 everywhere it exists), so double backprop differentiates the
differences, as Chainer 7's does.
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
from fchain.ops.loss._checks import check_reduce, check_same_shape
from fchain.types import Array, ArrayNamespace

__all__ = ["TRIPLET", "TripletParams", "triplet"]

_NAME = "triplet"


@dataclass(frozen=True, slots=True)
class TripletParams:
    margin: float
    reduce: str


def _forward(xp: ArrayNamespace, inputs: Inputs, p: TripletParams) -> Forwarded:
    a, pos, neg = inputs
    dist = xp.sum(xp.square(a - pos) - xp.square(a - neg), axis=1, keepdims=False) + p.margin
    hinge = xp.maximum(dist, 0)
    loss = xp.sum(hinge, keepdims=False) / a.shape[0] if p.reduce == "mean" else hinge
    mask = xp.reshape(xp.greater(hinge, 0).astype(a.dtype), (-1, 1))
    return (xp.asarray(loss, dtype=a.dtype),), (a, pos, neg, mask)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: TripletParams) -> Grads:
    a, pos, neg, mask = residuals
    gy = grads[0]
    g = gy * (1.0 / a.shape[0]) if p.reduce == "mean" else xp.reshape(gy, (-1, 1))
    c = (g * 2) * mask
    return c * (neg - pos), c * (pos - a), c * (a - neg)


def _check(arrays: tuple[Array, ...], p: TripletParams) -> TripletParams:
    a, pos, neg = arrays
    if a.ndim != 2 or a.shape[0] == 0:
        raise ShapeError(f"{_NAME}: anchor must have shape (N, K) with N > 0, got shape {tuple(a.shape)}")
    check_same_shape(_NAME, "anchor", a, "positive", pos)
    check_same_shape(_NAME, "anchor", a, "negative", neg)
    return p


def _sample(draw: Draw) -> Case:
    n, k = draw.integer(1, 4), draw.integer(1, 4)
    margin = draw.choice([0.1, 0.2, 1.0])
    a = draw.floats((n, k))
    pos = a + draw.floats((n, k), kinks=(0.0,))
    neg0 = a + draw.floats((n, k), kinks=(0.0,))
    # Each triplet's hinge argument set to a drawn value off the kink at 0: the
    # farther of the two examples is moved along its direction from the anchor.
    target = draw.floats((n,), -1.0, 1.0, kinks=(0.0,)) - margin
    sp = ((a - pos) ** 2).sum(axis=1)
    sn = ((a - neg0) ** 2).sum(axis=1)
    scale_n = (abs(sp - target) / sn) ** 0.5
    scale_p = (abs(sn + target) / sp) ** 0.5
    move_neg = (sp - target > 0)[:, None]
    neg = a + (neg0 - a) * scale_n[:, None] * move_neg + (neg0 - a) * ~move_neg
    pos = a + (pos - a) * scale_p[:, None] * ~move_neg + (pos - a) * move_neg
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    return Case((a, pos, neg), lambda av, pv, nv: triplet(av, pv, nv, margin=margin, reduce=reduce))


TRIPLET: OpDef[TripletParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample, conventions=("no gradient where the hinge is exactly 0",)),
    arg_names=("anchor", "positive", "negative"), float_inputs=(0, 1, 2), check=_check, broadcasts=False))


def triplet(anchor: VariableLike, positive: VariableLike, negative: VariableLike, margin: float = 0.2,
            reduce: Literal["mean", "no"] = "mean") -> Variable:
    """The triplet loss of anchors, positive and negative examples.

    Args:
        anchor: Shape ``(N, K)``, ``N > 0``.
        positive: Examples like the anchors, ``anchor``'s shape and dtype.
        negative: Examples unlike the anchors, ``anchor``'s shape and dtype.
        margin: How much farther the negative example must be; positive.
        reduce: ``'mean'`` for the mean over the triplets, ``'no'`` for each one's loss.

    Raises:
        ValueError: ``margin`` is not positive, or a bad ``reduce``.

    >>> import numpy as np
    >>> a = np.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=np.float32)
    >>> p = np.array([[-2.1, 2.8, 0.5], [4.9, 2.0, -0.4]], dtype=np.float32)
    >>> n = np.array([[-2.1, 2.7, 0.7], [4.9, 2.0, -0.7]], dtype=np.float32)
    >>> triplet(a, p, n, reduce='no').array
    array([0.11000005, 0.17      ], dtype=float32)
    """
    m = margin if type(margin) is float else real_arg(_NAME, "margin", margin)
    if not m > 0.0:
        raise ValueError(f"{_NAME}: margin should be positive value, got {margin!r}")
    check_reduce(_NAME, reduce)
    return apply(TRIPLET, (anchor, positive, negative), TripletParams(m, reduce))

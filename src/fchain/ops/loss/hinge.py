"""hinge(x, t, norm='L1', reduce='mean'): the one-vs-all hinge loss of scores ``x``.

With ``s[n, k] = -1`` where ``k == t[n]`` and ``+1`` elsewhere, one element's loss
is ``max(0, 1 + s x)`` (``'L1'``) or its square (``'L2'``).  ``reduce='mean'`` sums
every element and divides by the batch size ``N`` (not by ``N * K``, as Chainer);
``'no'`` keeps the ``(N, K)`` losses.

VJP: ``gy * s * sign(max(0, 1 + s x))`` (``'L1'``) or ``2 gy * s * max(0, 1 + s x)``
(``'L2'``), ``gy / N`` for the mean: Chainer's order of rounding.  Convention at
the kink ``1 + s x == 0``: the L1 gradient is 0 there (Chainer's ``sign(0)``; the
L2 gradient is 0 there anyway).  Residuals: ``x`` and the sign matrix ``s`` (a
constant made from the labels); the hinge is recomputed from ``x`` so that double
backprop differentiates it (Chainer 7's hinge has no double backprop; fchain's
second derivative is ``2 s^2 = 2`` inside the hinge for L2 and 0 for L1).
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
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.loss._checks import check_int_labels, check_label_values, check_reduce
from fchain.types import Array, ArrayNamespace

__all__ = ["HINGE", "HingeParams", "hinge"]

_NAME = "hinge"


@dataclass(frozen=True, slots=True)
class HingeParams:
    norm: str
    reduce: str


def _signs(xp: ArrayNamespace, x: Array, t: Array) -> Array:
    """``-1`` at each row's label, ``+1`` elsewhere, in ``x``'s dtype."""
    hit = xp.equal(xp.reshape(t, (-1, 1)), xp.reshape(xp.arange(x.shape[1]), (1, -1)))
    return xp.where(hit, -1.0, 1.0).astype(x.dtype)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: HingeParams) -> Forwarded:
    x, t = inputs
    s = _signs(xp, x, t)
    margin = xp.maximum(0, 1 + x * s)
    loss = margin if p.norm == "L1" else margin * margin
    if p.reduce == "mean":
        loss = xp.asarray(loss.sum() / x.shape[0], dtype=x.dtype)
    return (loss,), (x, s)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: HingeParams) -> Grads:
    x, s = residuals
    gy = grads[0]
    if p.reduce == "mean":
        gy = gy / x.shape[0]
    margin = xp.maximum(0, 1 + x * s) * s
    if p.norm == "L1":
        return gy * xp.sign(margin), None
    return (gy * 2) * margin, None


def _check(arrays: tuple[Array, ...], p: HingeParams) -> HingeParams:
    x, t = arrays
    if x.ndim != 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, K), got shape {tuple(x.shape)}")
    check_int_labels(_NAME, t)
    if t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise ShapeError(f"{_NAME}: t must have shape ({x.shape[0]},) (one label per row of x), "
                         f"got shape {tuple(t.shape)}")
    check_label_values(_NAME, t, 0, x.shape[1], None)
    return p


def _sample(draw: Draw) -> Case:
    n, k = draw.integer(1, 4), draw.integer(1, 4)
    x = draw.floats((n, k), -3.0, 3.0, kinks=(-1.0, 1.0))  # off the kinks 1 + s x == 0
    t = draw.integers((n,), 0, k - 1)
    norm: Literal["L1", "L2"] = draw.choice(["L1", "L2"])
    reduce: Literal["mean", "no"] = draw.choice(["mean", "no"])
    return Case((x, t), lambda xv, tv: hinge(xv, tv, norm=norm, reduce=reduce), check=(0,))


HINGE: OpDef[HingeParams] = register(OpDef(
    _NAME, _forward, _vjp,
    GradSpec(_sample, conventions=("the L1 gradient is 0 where 1 + s x == 0 (sign(0) = 0)",)),
    arg_names=("x", "t"), float_inputs=(0,), check=_check, broadcasts=False))


def hinge(x: VariableLike, t: VariableLike, norm: Literal["L1", "L2"] = "L1",
          reduce: Literal["mean", "no"] = "mean") -> Variable:
    """The hinge loss of scores ``x`` for a one-of-many classification.

    Args:
        x: Scores of shape ``(N, K)``.
        t: Integer labels of shape ``(N,)``, each in ``[0, K)``.
        norm: ``'L1'`` or ``'L2'`` (the hinge squared).
        reduce: ``'mean'``: the sum over all elements divided by ``N``; ``'no'``:
            the ``(N, K)`` elementwise losses.

    Raises:
        NotImplementedError: ``norm`` is neither ``'L1'`` nor ``'L2'`` (Chainer's error).
        ValueError: a label outside ``[0, K)`` (Chainer reads a negative one from
            the end of the row), or a bad ``reduce``.

    >>> import numpy as np
    >>> x = np.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=np.float32)
    >>> t = np.array([1, 0], dtype=np.int32)
    >>> float(hinge(x, t).array), float(hinge(x, t, norm='L2').array)
    (2.5, 5.75)
    """
    if norm != "L1" and norm != "L2":
        raise NotImplementedError(f"{_NAME}: norm should be either 'L1' or 'L2', got {norm!r}")
    check_reduce(_NAME, reduce)
    return apply(HINGE, (x, t), HingeParams(norm, reduce))

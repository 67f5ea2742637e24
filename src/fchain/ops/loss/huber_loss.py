"""huber_loss(x, t, delta, reduce='sum_along_second_axis'): the Huber loss of ``x - t``.

One element's loss is ``a**2 / 2`` where ``a = |x - t| <= delta`` and
``delta * (a - delta / 2)`` elsewhere.  ``reduce='sum_along_second_axis'`` sums it
over axis 1 (Chainer's only reduction), ``'no'`` keeps the elementwise losses.

Forward in Chainer's order of rounding, so the numbers are Chainer's bit for bit:
``min(a * a, max(a * (2 delta) - delta * delta, delta * delta)) * 0.5`` with
``delta`` rounded to the inputs' dtype first (the ``max`` makes the quadratic branch
win exactly where ``a <= delta``).  VJP: ``gx = gy * clip(x - t, -delta, delta)``,
``gt = -gx``; the gradient is continuous, and at ``|x - t| == delta`` the clip
passes its argument (so the second derivative there is 1, Chainer's clip
convention).  Residuals: the inputs (the difference is recomputed, so double
backprop differentiates it).
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
from fchain.ops.loss._checks import check_same_shape
from fchain.types import Array, ArrayNamespace

__all__ = ["HUBER_LOSS", "HuberLossParams", "huber_loss"]

_NAME = "huber_loss"
_REDUCTIONS = ("sum_along_second_axis", "no")


@dataclass(frozen=True, slots=True)
class HuberLossParams:
    delta: float
    reduce: str


def _forward(xp: ArrayNamespace, inputs: Inputs, p: HuberLossParams) -> Forwarded:
    x, t = inputs
    a = xp.absolute(x - t)
    delta = x.dtype.type(p.delta)
    delta_sq = delta * delta
    linear = a * (delta * 2) - delta_sq
    y = xp.minimum(a * a, xp.maximum(linear, delta_sq)) * 0.5
    if p.reduce == "sum_along_second_axis":
        y = y.sum(axis=1)
    return (y,), (x, t)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: HuberLossParams) -> Grads:
    x, t = residuals
    gy = grads[0]
    if p.reduce == "sum_along_second_axis":
        gy = xp.expand_dims(gy, 1)
    gx = gy * xp.clip(x - t, -p.delta, p.delta)
    return gx, -gx


def _check(arrays: tuple[Array, ...], p: HuberLossParams) -> HuberLossParams:
    x, t = arrays
    check_same_shape(_NAME, "x", x, "t", t)
    if p.reduce == "sum_along_second_axis" and x.ndim < 2:
        raise ShapeError(f"{_NAME}: reduce='sum_along_second_axis' needs x of shape (N, K, ...), "
                         f"got shape {tuple(x.shape)}")
    return p


def _sample(draw: Draw) -> Case:
    reduce: Literal["sum_along_second_axis", "no"] = draw.choice(["sum_along_second_axis", "no"])
    shape = draw.shape(2 if reduce == "sum_along_second_axis" else 0, 3)
    delta = draw.choice([0.5, 1.0, 2.0])
    x = draw.floats(shape, -2.0, 2.0)
    d = draw.floats(shape, -3.0 * delta, 3.0 * delta, kinks=(-delta, delta))  # off the kinks |x - t| == delta
    return Case((x, x - d), lambda xv, tv: huber_loss(xv, tv, delta, reduce=reduce))


HUBER_LOSS: OpDef[HuberLossParams] = register(OpDef(
    _NAME, _forward, _vjp,
    GradSpec(_sample, conventions=("d2/dx2 at |x - t| == delta is 1 (the clip passes its bounds)",)),
    arg_names=("x", "t"), float_inputs=(0, 1), check=_check))


def huber_loss(x: VariableLike, t: VariableLike, delta: float,
               reduce: Literal["sum_along_second_axis", "no"] = "sum_along_second_axis") -> Variable:
    """The Huber loss of ``x`` against the target ``t`` (same shape and dtype).

    Args:
        x: Input, shape ``(N, K, ...)`` for ``reduce='sum_along_second_axis'``.
        t: Target of ``x``'s shape and dtype.
        delta: Where the loss turns from quadratic to linear; positive.
        reduce: ``'sum_along_second_axis'`` sums the elementwise losses over axis 1
            (the result has ``x``'s shape without axis 1); ``'no'`` keeps them.

    Raises:
        ValueError: ``delta`` is not positive (Chainer accepts it and computes a
            meaningless loss), or ``reduce`` is another string.

    >>> import numpy as np
    >>> x = np.array([[-2.0, 3.0, 0.5], [5.0, 2.0, -0.5]], dtype=np.float32)
    >>> t = np.array([[-2.0, 3.0, 0.0], [10.0, 2.0, -0.5]], dtype=np.float32)
    >>> huber_loss(x, t, delta=1.0).array
    array([0.125, 4.5  ], dtype=float32)
    """
    if reduce not in _REDUCTIONS:
        raise ValueError(f"{_NAME}: only 'sum_along_second_axis' and 'no' are valid for 'reduce', "
                         f"but {reduce!r} is given")
    d = delta if type(delta) is float else real_arg(_NAME, "delta", delta)
    if not d > 0.0:
        raise ValueError(f"{_NAME}: delta must be positive, got {d!r}")
    return apply(HUBER_LOSS, (x, t), HuberLossParams(d, reduce))

"""local_response_normalization(x, n=5, k=2, alpha=1e-4, beta=0.75): Chainer's
cross-channel normalization (AlexNet's).

``y = x * (k + alpha * s) ** -beta`` where ``s`` sums ``x ** 2`` over the channels
(axis 1) within ``n // 2`` of each one, ends clipped.  As Chainer's CPU code, the
window has ``2 * (n // 2) + 1`` channels (so an even ``n`` reaches one channel
further than Chainer's GPU kernel; fchain gives the CPU numbers on both).

The window sum adds the shifted squares one offset at a time (``n // 2`` offsets,
each side), in Chainer's order of rounding, as whole-array slices: no loop over the
data.  VJP (Chainer's): ``gx = gy * scale - 2 * alpha * beta * x * S``, with ``S``
the window sum of ``y * gy / (k + alpha * s)``.  Residuals: ``x``, ``y``,
``k + alpha * s`` and ``scale``.  Chainer 7 has no double backprop here (its
gradient function raises), and neither has fchain (``double_differentiable=False``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, real_arg
from fchain.types import Array, ArrayNamespace

__all__ = ["LOCAL_RESPONSE_NORMALIZATION", "LocalResponseNormalizationParams", "local_response_normalization"]

_NAME = "local_response_normalization"


@dataclass(frozen=True, slots=True)
class LocalResponseNormalizationParams:
    """The window width ``n`` and the constants of ``(k + alpha * s) ** -beta``."""

    n: int
    k: float
    alpha: float
    beta: float


def _window_sum(a: Array, half: int) -> Array:
    """Each channel's sum of ``a`` over the channels within ``half`` of it: ``a``
    itself, then for each offset the channel below and the channel above."""
    s = a.copy()
    for i in range(1, half + 1):
        s[:, i:] += a[:, :-i]
        s[:, :-i] += a[:, i:]
    return s


def _forward(xp: ArrayNamespace, inputs: Inputs, p: LocalResponseNormalizationParams) -> Forwarded:
    x = inputs[0]
    unit_scale = p.k + p.alpha * _window_sum(xp.square(x), p.n // 2)
    scale = unit_scale ** -p.beta
    y = x * scale
    return (y,), (x, y, unit_scale, scale)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: LocalResponseNormalizationParams) -> Grads:
    x, y, unit_scale, scale = residuals
    gy = grads[0]
    s = _window_sum(y * gy / unit_scale, p.n // 2)
    return (gy * scale - 2 * p.alpha * p.beta * x * s,)


def _check(arrays: Inputs, p: LocalResponseNormalizationParams) -> LocalResponseNormalizationParams:
    if arrays[0].ndim < 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, C, ...), got shape {tuple(arrays[0].shape)}")
    return p


def _sample(draw: Draw) -> Case:
    shape = draw.shape(2, 4, 1, 3)
    shape = (shape[0], draw.integer(1, 6)) + shape[2:]
    n = draw.choice([1, 2, 3, 5])
    k, alpha, beta = draw.choice([2.0, 1.0]), draw.choice([1e-4, 0.5]), draw.choice([0.75, 0.5])
    return Case((draw.floats(shape),), lambda x: local_response_normalization(x, n, k, alpha, beta))


LOCAL_RESPONSE_NORMALIZATION: OpDef[LocalResponseNormalizationParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample, double=False), check=_check, broadcasts=False,
    double_differentiable=False))


def local_response_normalization(x: VariableLike, n: int = 5, k: float = 2, alpha: float = 1e-4,
                                 beta: float = 0.75) -> Variable:
    """Normalize each channel of ``x`` (``(N, C, ...)``) by the squares of its
    neighbours: ``x * (k + alpha * sum of x**2 over the channels within n // 2) ** -beta``."""
    if type(n) is not int:
        n = int_arg(_NAME, "n", n)
    if n < 1:
        raise ValueError(f"{_NAME}: n must be a positive int, got {n}")
    params = LocalResponseNormalizationParams(
        n, real_arg(_NAME, "k", k), real_arg(_NAME, "alpha", alpha), real_arg(_NAME, "beta", beta))
    return apply(LOCAL_RESPONSE_NORMALIZATION, (x,), params)

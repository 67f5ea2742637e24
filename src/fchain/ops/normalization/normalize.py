"""normalize(x, eps=1e-5, axis=1): Chainer's L2 normalization, ``x / (||x|| + eps)``.

The norm is taken over ``axis`` (an int, a tuple of ints, or None for all axes) and
kept as length-1 axes, so each slice along it is divided by its own norm.

Forward and VJP follow Chainer's steps and order of rounding:
``norm = sqrt(sum(x ** 2)) + eps``, ``y = x / norm``; backward
``gx = (gy * norm - sum(x * gy) / ||x|| * x) / norm ** 2``, where ``sum(x * gy) /
||x||`` is taken as 0 for a zero slice, whose gradient is then ``gy / eps``, with
no division by zero (the masked denominator is 1 there).  The norm itself is not
differentiable at a zero slice, so there the second derivative is NaN, as in
Chainer.  Residuals: the input ``x`` only, so the same rule, run on the
second-order namespace, is its own double backward (as Chainer's, made of
differentiable functions).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, normalize_axes, real_arg, shape_of
from fchain.ops.math._reduce import draw_axis
from fchain.types import ArrayNamespace

__all__ = ["NORMALIZE", "NormalizeParams", "normalize"]

_NAME = "normalize"

NormalizeParams = tuple[float, tuple[int, ...] | None]
"""``(eps, axes)``: what is added to the norm, and the axes it is taken over
(sorted; None for all)."""


def _forward(xp: ArrayNamespace, inputs: Inputs, p: NormalizeParams) -> Forwarded:
    x = inputs[0]
    eps, axis = p
    norm = xp.sqrt(xp.sum(xp.square(x), axis=axis, keepdims=True)) + eps
    return (x / norm,), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: NormalizeParams) -> Grads:
    x = residuals[0]
    gy = grads[0]
    eps, axis = p
    norm_noeps = xp.sqrt(xp.sum(xp.square(x), axis=axis, keepdims=True))
    norm = norm_noeps + eps
    nonzero = xp.not_equal(norm_noeps, 0.0)
    x_gy = xp.sum(x * gy, axis=axis, keepdims=True)
    x_gy = xp.where(nonzero, x_gy / xp.where(nonzero, norm_noeps, 1.0), 0.0)
    gx = gy * norm - x_gy * x
    return (gx / norm ** 2,)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(1, 3)
    axis = draw_axis(draw, shape)
    eps = draw.choice([1e-5, 0.5])
    return Case((draw.floats(shape, kinks=[0.0], margin=0.3),), lambda x: normalize(x, eps, axis))


NORMALIZE: OpDef[NormalizeParams] = register(OpDef(_NAME, _forward, _vjp, GradSpec(_sample), broadcasts=False))


def normalize(x: VariableLike, eps: float = 1e-5, axis: int | tuple[int, ...] | None = 1) -> Variable:
    """Divide ``x`` by its L2 norm over ``axis`` (plus ``eps``), slice by slice.

    ``axis``: an int, a tuple of ints, or None for all axes (Chainer's default is 1,
    the feature axis of ``(batch, features)``).  Returns ``y`` of x's shape and dtype.
    """
    if type(eps) is not float:
        eps = real_arg(_NAME, "eps", eps)
    axes = normalize_axes(_NAME, axis, len(shape_of(x, _NAME)))
    return apply(NORMALIZE, (x,), (eps, axes))

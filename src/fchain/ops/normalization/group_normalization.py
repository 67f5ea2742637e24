"""group_normalization(x, groups, gamma, beta, eps=1e-5): Chainer's group normalization.

``x`` is ``(N, C, ...)``; its channels are split into ``groups`` groups of
``C / groups`` and each sample's group is normalized by its own mean and (biased)
variance, then scaled and shifted per channel by ``gamma`` and ``beta`` (``(C,)``).
Computed in the wider of x's and gamma's dtypes (Chainer's intermediate dtype);
``y`` has x's.

Forward, in Chainer's order of rounding: ``x`` seen as ``(N * groups, -1)`` rows,
two-pass moments per row (``_common.normalized``), ``x_hat`` then the affine
output per channel.  VJP (Chainer's): ``gbeta = sum(gy)``, ``ggamma = sum(gy *
x_hat)`` over batch and spatial axes, ``g = gy * gamma`` and per row
``gx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))``.  Residuals: ``x`` and
``gamma`` (inputs), ``x_hat`` and ``inv_std``; as in ``batch_normalization``, the
recorded rule (``second_order_vjp``) recomputes the last two from ``x`` so double
backprop differentiates through the statistics (Chainer 7 has it here too).
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, describe, is_integer, real_arg
from fchain.ops.normalization._common import as_dtype, check_float_x, interm_dtype, normalized
from fchain.types import Array, ArrayNamespace

__all__ = ["GROUP_NORMALIZATION", "GroupNormalizationParams", "group_normalization"]

_NAME = "group_normalization"


@dataclass(frozen=True, slots=True)
class GroupNormalizationParams:
    """``groups``: how many groups the channels form; ``eps``: added to the variance."""

    groups: int
    eps: float


def _rows(xp: ArrayNamespace, x: Array, groups: int) -> Array:
    """``x`` as ``(N * groups, values per group)``: one row per sample and group."""
    rows = x.shape[0] * groups
    return xp.reshape(x, (rows, x.size // rows))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: GroupNormalizationParams) -> Forwarded:
    x, gamma, beta = inputs
    dtype = interm_dtype(x, gamma)
    _, _, inv_std, x_hat = normalized(xp, _rows(xp, as_dtype(xp, x, dtype), p.groups), 1, p.eps)
    n, c = x.shape[0], x.shape[1]
    y = xp.reshape(x_hat, (n, c, x.size // (n * c))) * xp.reshape(as_dtype(xp, gamma, dtype), (c, 1))
    y += xp.reshape(as_dtype(xp, beta, dtype), (c, 1))
    return (as_dtype(xp, xp.reshape(y, x.shape), x.dtype),), (x, gamma, x_hat, inv_std)


def _grads(xp: ArrayNamespace, x: Array, gamma: Array, x_hat: Array, inv_std: Array, gy: Array,
           p: GroupNormalizationParams) -> Grads:
    """Chainer's gradient of group normalization, in its order of rounding."""
    dtype = x_hat.dtype
    n, c = x.shape[0], x.shape[1]
    per_channel = (n, c, x.size // (n * c))
    gy3 = xp.reshape(as_dtype(xp, gy, dtype), per_channel)
    g = _rows(xp, gy3 * xp.reshape(as_dtype(xp, gamma, dtype), (c, 1)), p.groups)
    gbeta = xp.sum(gy3, axis=(0, 2), keepdims=False)
    ggamma = xp.sum(gy3 * xp.reshape(x_hat, per_channel), axis=(0, 2), keepdims=False)
    gx = g - xp.mean(g, axis=1, keepdims=True)
    gx = gx - x_hat * xp.mean(g * x_hat, axis=1, keepdims=True)
    gx = inv_std * gx
    return (as_dtype(xp, xp.reshape(gx, x.shape), x.dtype), as_dtype(xp, ggamma, gamma.dtype),
            as_dtype(xp, gbeta, gamma.dtype))


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GroupNormalizationParams) -> Grads:
    x, gamma, x_hat, inv_std = residuals
    return _grads(xp, x, gamma, x_hat, inv_std, grads[0], p)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs,
                  p: GroupNormalizationParams) -> Grads:
    """Second order: the statistics recomputed from ``x`` so they are differentiated."""
    x, gamma = residuals[0], residuals[1]
    _, _, inv_std, x_hat = normalized(xp, _rows(xp, as_dtype(xp, x, interm_dtype(x, gamma)), p.groups), 1,
                                      p.eps)
    return _grads(xp, x, gamma, x_hat, inv_std, grads[0], p)


def _check(arrays: Inputs, p: GroupNormalizationParams) -> GroupNormalizationParams:
    x, gamma, beta = arrays
    check_float_x(_NAME, x)
    if x.ndim < 2:
        raise ShapeError(f"{_NAME}: x must have shape (N, C, ...), got shape {tuple(x.shape)}")
    c = x.shape[1]
    for name, a in (("gamma", gamma), ("beta", beta)):
        if tuple(a.shape) != (c,):
            raise ShapeError(f"{_NAME}: {name} must have shape ({c},) (one per channel of x), "
                             f"got shape {tuple(a.shape)}")
    if c % p.groups:
        raise ValueError(f"{_NAME}: x has {c} channels (x.shape[1]), which groups={p.groups} does not divide")
    return p


def _sample(draw: Draw) -> Case:
    groups, per_group = draw.integer(1, 3), draw.integer(1, 2)
    spatial = draw.shape(0, 2, 1, 3)
    if per_group == 1 and all(n == 1 for n in spatial):
        spatial = (2,) + spatial  # at least two values per group
    c = groups * per_group
    eps = draw.choice([1e-5, 0.1])
    return Case((draw.distinct((draw.integer(1, 3), c) + spatial, 0.3), draw.floats((c,), 0.5, 1.5),
                 draw.floats((c,))), lambda x, g, b: group_normalization(x, groups, g, b, eps))


GROUP_NORMALIZATION: OpDef[GroupNormalizationParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "gamma", "beta"), check=_check,
    float_inputs=(1, 2), broadcasts=False, second_order_vjp=_vjp_recorded))


def group_normalization(x: VariableLike, groups: int, gamma: VariableLike, beta: VariableLike,
                        eps: float = 1e-5) -> Variable:
    """Normalize each sample's channel groups of ``x`` (``(N, C, ...)``) by their own
    mean and variance, then scale by ``gamma`` and shift by ``beta`` (``(C,)``).

    ``groups`` must divide ``C``.  Returns ``y`` of x's shape and dtype.
    """
    if type(groups) is not int:
        if not is_integer(groups):
            raise TypeError(f"{_NAME}: groups must be an int, got {describe(groups)}")
        groups = int(groups)
    if groups < 1:
        raise ValueError(f"{_NAME}: groups must be positive, got {groups}")
    if type(eps) is not float:
        eps = real_arg(_NAME, "eps", eps)
    return apply(GROUP_NORMALIZATION, (x, gamma, beta), GroupNormalizationParams(groups, eps))

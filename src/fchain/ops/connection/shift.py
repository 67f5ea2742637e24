"""shift(x, ksize=3, dilate=1): Wu et al.'s zero-FLOP alternative to a spatial
convolution.  The channels of ``x`` ``(N, C, H, W)`` are split into ``kh kw`` groups
of ``C // (kh kw)`` (the last group takes the remainder); group ``g`` is moved by
``(ky dy, kx dx)`` pixels with ``(ky, kx)`` the ``g``-th offset of the centred
``kh x kw`` grid, except that the centre offset (no move) is given to the last
group and the last offset to the centre group, as Chainer does.  Pixels moved in
from outside are zero.  ``ksize`` must be odd.  VJP: the shift by the opposite
offsets, which is ``shift`` with ``-dilate``, so the op is its own backward.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.ops._window_args import spatial_ndim
from fchain.types import Array, ArrayNamespace

__all__ = ["SHIFT", "ShiftParams", "shift"]


@dataclass(frozen=True, slots=True)
class ShiftParams:
    """Kernel size (odd) and dilation (nonzero; negative moves the other way)."""

    kh: int
    kw: int
    dy: int
    dx: int


def _moves(p: ShiftParams, channels: int) -> list[tuple[int, int, int, int]]:
    """``(first channel, end channel, dy, dx)`` of each group: its rows move by ``dy``."""
    groups = p.kh * p.kw
    size = channels // groups
    centre, last = (groups - 1) // 2, groups - 1
    out = []
    for i in range(groups):
        g = last if i == centre else centre if i == last else i
        ky, kx = g // p.kw - p.kh // 2, g % p.kw - p.kw // 2
        out.append((i * size, (i + 1) * size if i < last else channels, ky * p.dy, kx * p.dx))
    return out


def _span(move: int, n: int) -> tuple[slice, slice]:
    """Destination and source slices of an axis of length ``n`` moved by ``move``."""
    if move >= 0:
        return slice(move, n), slice(0, max(n - move, 0))
    return slice(0, max(n + move, 0)), slice(-move, n)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ShiftParams) -> Forwarded:
    x = inputs[0]
    h, w = x.shape[2], x.shape[3]
    y = xp.zeros_like(x)
    for c0, c1, my, mx in _moves(p, x.shape[1]):
        (ty, sy), (tx, sx) = _span(my, h), _span(mx, w)
        y[:, c0:c1, ty, tx] = x[:, c0:c1, sy, sx]
    return (y,), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ShiftParams) -> Grads:
    return _forward(xp, grads, ShiftParams(p.kh, p.kw, -p.dy, -p.dx))[0]


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ShiftParams) -> Grads:
    back = replace(p, dy=-p.dy, dx=-p.dx)
    return (cast(Array, apply(SHIFT, (cast(Variable, grads[0]),), back)),)


def _check(arrays: Inputs, p: ShiftParams) -> ShiftParams:
    x = arrays[0]
    if x.ndim != 4:
        raise ShapeError(f"shift: x must be (N, C, H, W), got shape {tuple(x.shape)}")
    if x.shape[1] < p.kh * p.kw:
        raise ShapeError(f"shift: x has {x.shape[1]} channels, fewer than the {p.kh * p.kw} groups of a "
                         f"{p.kh}x{p.kw} shift")
    return p


def _sample(draw: Draw) -> Case:
    kh, kw = draw.choice([1, 3]), draw.choice([1, 3])
    params = ShiftParams(kh, kw, draw.choice([1, 2, -1]), draw.choice([1, -2]))
    c = kh * kw + draw.integer(0, 3)
    x = draw.floats((draw.integer(1, 2), c, draw.integer(1, 4), draw.integer(1, 4)))
    return Case((x,), lambda x: apply(SHIFT, (x,), params))


SHIFT: OpDef[ShiftParams] = register(OpDef(
    "shift", _forward, _vjp, GradSpec(_sample), check=_check, broadcasts=False,
    second_order_vjp=_vjp_recorded))


def _pair(fn: str, arg: str, value: object) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{fn}: {arg} must be an int or a pair of ints, got {value!r}")
        return int_arg(fn, arg, value[0]), int_arg(fn, arg, value[1])
    n = int_arg(fn, arg, value)
    return n, n


def shift(x: VariableLike, ksize: int | tuple[int, int] = 3, dilate: int | tuple[int, int] = 1) -> Variable:
    """The shift operation (see the module docstring)."""
    spatial_ndim("shift", x, 2)
    shape_of(x, "shift")
    kh, kw = _pair("shift", "ksize", ksize)
    if kh % 2 != 1 or kw % 2 != 1 or kh < 1 or kw < 1:
        raise ValueError(f"shift: ksize must be odd and positive, got {ksize!r}")
    dy, dx = _pair("shift", "dilate", dilate)
    if dy == 0 or dx == 0:
        raise ValueError(f"shift: dilate must be nonzero, got {dilate!r}")
    return apply(SHIFT, (x,), ShiftParams(kh, kw, dy, dx))

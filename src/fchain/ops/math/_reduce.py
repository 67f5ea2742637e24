"""Helpers shared by the reduction ops of this package (mean, max, min, logsumexp)."""

from __future__ import annotations

from fchain.core.spec import Draw
from fchain.types import Shape

__all__ = ["draw_axis", "kept_shape", "reduced_size"]


def kept_shape(in_shape: Shape, axis: tuple[int, ...] | None) -> Shape:
    """``in_shape`` with every reduced axis set to 1 (the ``keepdims=True`` shape)."""
    if axis is None:
        return (1,) * len(in_shape)
    return tuple(1 if i in axis else n for i, n in enumerate(in_shape))


def reduced_size(in_shape: Shape, axis: tuple[int, ...] | None) -> int:
    """How many elements each output element of the reduction combines."""
    size = 1
    for i, n in enumerate(in_shape):
        if axis is None or i in axis:
            size *= n
    return size


def draw_axis(draw: Draw, shape: Shape, allow_tuple: bool = True) -> int | tuple[int, ...] | None:
    """``None``, one axis (sometimes negative) or, if allowed, a tuple of axes of ``shape``."""
    if not shape or draw.boolean():
        return None
    ndim = len(shape)
    if not allow_tuple or draw.boolean():
        a = draw.integer(0, ndim - 1)
        return a - ndim if draw.boolean() else a
    return tuple(sorted({draw.integer(0, ndim - 1) for _ in range(draw.integer(1, 2))}))

"""Un-broadcasting: the one place gradients are summed back to an input's shape."""

from __future__ import annotations

from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["sum_to", "sum_to_axes"]


def sum_to_axes(from_shape: Shape, to_shape: Shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Axes to sum (leading extra axes, then size-1 axes) to go back to ``to_shape``.

    Returns ``(lead_axes, keep_axes)``: sum ``lead_axes`` without keepdims after summing
    ``keep_axes`` with keepdims.
    """
    lead = len(from_shape) - len(to_shape)
    lead_axes = tuple(range(lead))
    keep_axes = tuple(
        lead + i for i, n in enumerate(to_shape) if n == 1 and from_shape[lead + i] != 1
    )
    return lead_axes, keep_axes


def sum_to(xp: ArrayNamespace, g: Array, shape: Shape) -> Array:
    """Sum ``g`` over broadcast axes so that it has ``shape``."""
    if g.shape == shape:
        return g
    lead_axes, keep_axes = sum_to_axes(g.shape, shape)
    if keep_axes:
        g = xp.sum(g, axis=keep_axes, keepdims=True)
    if lead_axes:
        g = xp.sum(g, axis=lead_axes, keepdims=False)
    return xp.reshape(g, shape)

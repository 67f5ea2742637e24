"""What ``prelu`` and ``swish`` share: a parameter laid along the axes after the batch.

Both take ``x`` of shape ``(B, s_1, ..., s_N)`` and a parameter (``W``, ``beta``) of
shape ``(s_1, ..., s_M)`` with ``M <= N``: the parameter is read as
``(1, s_1, ..., s_M, 1, ..., 1)`` against ``x``, and its gradient is summed over
the batch axis and the trailing axes.  ``channel_params`` checks the shapes and
returns both layouts, so the rules only reshape and sum.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.errors import ShapeError
from fchain.types import Shape

__all__ = ["ChannelParams", "channel_params"]


@dataclass(frozen=True, slots=True)
class ChannelParams:
    """``extended``: the parameter's shape broadcast against ``x``;
    ``reduce_axes``: the axes of ``x`` its gradient is summed over."""

    extended: Shape
    reduce_axes: tuple[int, ...]


def channel_params(op_name: str, arg: str, x_shape: Shape, w_shape: Shape) -> ChannelParams:
    """The layouts for a parameter of shape ``w_shape`` against ``x_shape``, or a
    ``ShapeError`` naming ``op_name`` and ``arg`` unless ``w_shape`` is a prefix of
    ``x_shape[1:]``."""
    m = len(w_shape)
    if len(x_shape) < m + 1 or tuple(x_shape[1:1 + m]) != tuple(w_shape):
        raise ShapeError(
            f"{op_name}: {arg} has shape {tuple(w_shape)} but x has shape {tuple(x_shape)}; "
            f"{arg}'s shape must equal the axes of x after the batch axis, x.shape[1:{1 + m}]")
    extended = (1,) + tuple(w_shape) + (1,) * (len(x_shape) - m - 1)
    reduce_axes = (0,) + tuple(range(1 + m, len(x_shape)))
    return ChannelParams(extended, reduce_axes)

"""The two rearrangements of ``depth2space`` and ``space2depth``, each the other's
inverse (and so each the other's backward): pure reshapes and transposes, written
against ``xp`` so double backprop differentiates them again.

With ``r`` the factor, channel ``(i * r + j) * C + c`` of the deep layout holds
the pixel ``(i, j)`` of each ``r x r`` block of channel ``c`` of the wide layout
(Chainer's order).
"""

from __future__ import annotations

from fchain.errors import ShapeError
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["check_nchw", "to_depth", "to_space"]


def to_space(xp: ArrayNamespace, x: Array, r: int) -> Array:
    """``(B, r * r * C, H, W)`` to ``(B, C, H * r, W * r)``."""
    b, rrc, h, w = x.shape
    c = rrc // (r * r)
    y = xp.transpose(xp.reshape(x, (b, r, r, c, h, w)), (0, 3, 4, 1, 5, 2))
    return xp.reshape(y, (b, c, h * r, w * r))


def to_depth(xp: ArrayNamespace, x: Array, r: int) -> Array:
    """``(B, C, H * r, W * r)`` to ``(B, r * r * C, H, W)``."""
    b, c, hr, wr = x.shape
    y = xp.transpose(xp.reshape(x, (b, c, hr // r, r, wr // r, r)), (0, 3, 5, 1, 2, 4))
    return xp.reshape(y, (b, r * r * c, hr // r, wr // r))


def check_nchw(op_name: str, shape: Shape, r: int) -> None:
    """``X`` must be 4-d ``(batch, channel, height, width)`` and ``r`` positive."""
    if r <= 0:
        raise ValueError(f"{op_name}: r must be a positive int, got {r}")
    if len(shape) != 4:
        raise ShapeError(f"{op_name}: X must be 4-d (batch, channel, height, width), got shape {shape}")

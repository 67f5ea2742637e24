"""``along_axis``: a second operand laid along ``x``'s axes from ``axis`` on, the
broadcast that Chainer's ``F.bias`` and ``F.scale`` (and so ``L.Bias`` and
``L.Scale``) apply.

``y`` of shape ``x.shape[axis:axis + y.ndim]`` is reshaped to
``(1,) * axis + y.shape + (1,) * rest``, so the elementwise ``add``/``mul`` that
follows broadcasts it over the other axes (the same numbers as Chainer's explicit
``broadcast_to``; the gradient sums over the broadcast axes).
"""

from __future__ import annotations

from fchain.errors import ShapeError
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.array.reshape import reshape

__all__ = ["along_axis"]


def along_axis(cls: str, x: VariableLike, y: VariableLike, axis: int) -> VariableLike:
    """``y`` reshaped to broadcast against ``x`` from ``axis`` on (checked)."""
    xs, ys = shape_of(x, cls, "x"), shape_of(y, cls, "y")
    if not 0 <= axis <= len(xs) - len(ys) or xs[axis:axis + len(ys)] != ys:
        raise ShapeError(f"{cls}: the operand of shape {ys} must match x's axes from axis {axis} on, but x has "
                         f"shape {xs}")
    shape = (1,) * axis + ys + (1,) * (len(xs) - axis - len(ys))
    return y if shape == ys else reshape(y, shape)

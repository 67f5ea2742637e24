"""scale(x, y, axis=1): ``x * y`` with ``y`` laid along ``x``'s axes from ``axis`` on
(Chainer's ``F.scale``, the function ``L.Scale`` computes).

``y`` has shape ``x.shape[axis:axis + y.ndim]``; it is reshaped to broadcast over
``x``'s other axes and the elementwise ``mul`` multiplies it in, so the gradient of
``y`` sums over those axes and every order of derivative exists (a composite of
``reshape`` and ``mul``, no op of its own).
"""

from __future__ import annotations

from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg
from fchain.ops.math._axis_operand import along_axis
from fchain.ops.math.mul import mul

__all__ = ["scale"]


def scale(x: VariableLike, y: VariableLike, axis: int = 1) -> Variable:
    """``x * y``, ``y`` broadcast along ``x``'s axes from ``axis`` on; a
    ``ShapeError`` when ``y``'s shape is not ``x.shape[axis:axis + y.ndim]``."""
    axis = axis if type(axis) is int else int_arg("scale", "axis", axis)
    return mul(x, along_axis("scale", x, y, axis))

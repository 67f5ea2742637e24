"""bias(x, y, axis=1): ``x + y`` with ``y`` laid along ``x``'s axes from ``axis`` on
(Chainer's ``F.bias``, the function ``L.Bias`` computes).

``y`` has shape ``x.shape[axis:axis + y.ndim]``; it is reshaped to broadcast over
``x``'s other axes and the elementwise ``add`` adds it in, so the gradient of
``y`` sums over those axes and every order of derivative exists (a composite of
``reshape`` and ``add``, no op of its own).
"""

from __future__ import annotations

from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, int_arg
from fchain.ops.math._axis_operand import along_axis
from fchain.ops.math.add import add

__all__ = ["bias"]


def bias(x: VariableLike, y: VariableLike, axis: int = 1) -> Variable:
    """``x + y``, ``y`` broadcast along ``x``'s axes from ``axis`` on; a
    ``ShapeError`` when ``y``'s shape is not ``x.shape[axis:axis + y.ndim]``."""
    axis = axis if type(axis) is int else int_arg("bias", "axis", axis)
    return add(x, along_axis("bias", x, y, axis))

"""linear_interpolate(p, x, y) = ``p * x + (1 - p) * y``, elementwise (Chainer's
``F.linear_interpolate``): ``p``, ``x`` and ``y`` share one shape and one floating
dtype, as Chainer requires.  A composite of ``mul``, ``sub`` and ``add`` (no op of
its own), so every order of derivative exists.
"""

from __future__ import annotations

from fchain.errors import DTypeError, ShapeError
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, shape_of
from fchain.ops.math.add import add
from fchain.ops.math.mul import mul
from fchain.ops.math.sub import sub

__all__ = ["linear_interpolate"]

_NAME = "linear_interpolate"


def linear_interpolate(p: VariableLike, x: VariableLike, y: VariableLike) -> Variable:
    """``p * x + (1 - p) * y``; a ``ShapeError`` or ``DTypeError`` unless ``p``,
    ``x`` and ``y`` have one shape and one floating dtype."""
    shapes = [shape_of(v, _NAME, name) for v, name in ((p, "p"), (x, "x"), (y, "y"))]
    dtypes = [p.dtype, x.dtype, y.dtype]  # each is a Variable or an array: shape_of checked it
    for name, shape in zip("xy", shapes[1:]):
        if shape != shapes[0]:
            raise ShapeError(f"{_NAME}: {name} has shape {shape} but p has {shapes[0]}; they must be equal")
    if dtypes[0].kind != "f":
        raise DTypeError(f"{_NAME}: p must be a floating-point array, got dtype {dtypes[0]}")
    for name, dtype in zip("xy", dtypes[1:]):
        if dtype != dtypes[0]:
            raise DTypeError(f"{_NAME}: {name} has dtype {dtype} but p has {dtypes[0]}; they must be equal")
    return add(mul(p, x), mul(sub(1.0, p), y))

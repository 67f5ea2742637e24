"""space2depth(X, r): ``(B, C, H * r, W * r)`` rearranged to ``(B, r * r * C, H, W)``.

The ``r x r`` blocks of each channel become ``r * r`` channels (the inverse of
``depth2space``; ``_subpixel.py`` gives the order).  VJP: the inverse
rearrangement, ``depth2space``'s forward.  Residuals: none.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg, shape_of
from fchain.ops.array._subpixel import check_nchw, to_depth, to_space
from fchain.types import ArrayNamespace

__all__ = ["SPACE2DEPTH", "space2depth"]


def _forward(xp: ArrayNamespace, inputs: Inputs, r: int) -> Forwarded:
    return (to_depth(xp, inputs[0], r),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, r: int) -> Grads:
    return (to_space(xp, grads[0], r),)


def _sample(draw: Draw) -> Case:
    r = draw.integer(1, 3)
    shape = (draw.integer(1, 2), draw.integer(1, 2), draw.integer(1, 2) * r, draw.integer(1, 2) * r)
    return Case((draw.floats(shape),), lambda x: space2depth(x, r))


SPACE2DEPTH: OpDef[int] = register(OpDef(
    "space2depth", _forward, _vjp, GradSpec(_sample), arg_names=("X",), broadcasts=False))


def space2depth(X: VariableLike, r: int) -> Variable:
    """Rearrange ``X`` of shape ``(B, C, H * r, W * r)`` to ``(B, r * r * C, H, W)``."""
    shape = shape_of(X, "space2depth", "X")
    if type(r) is not int:
        r = int_arg("space2depth", "r", r)
    check_nchw("space2depth", shape, r)
    if shape[2] % r or shape[3] % r:
        raise ShapeError(f"space2depth: X's height and width (shape {shape}) must be multiples of r = {r}")
    return apply(SPACE2DEPTH, (X,), r)

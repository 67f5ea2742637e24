"""depth2space(X, r): ``(B, r * r * C, H, W)`` rearranged to ``(B, C, H * r, W * r)``.

Each group of ``r * r`` channels becomes the ``r x r`` blocks of one channel
(sub-pixel convolution's upscaling; ``_subpixel.py`` gives the order).  VJP: the
inverse rearrangement, ``space2depth``'s forward.  Residuals: none.
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

__all__ = ["DEPTH2SPACE", "depth2space"]


def _forward(xp: ArrayNamespace, inputs: Inputs, r: int) -> Forwarded:
    return (to_space(xp, inputs[0], r),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, r: int) -> Grads:
    return (to_depth(xp, grads[0], r),)


def _sample(draw: Draw) -> Case:
    r = draw.integer(1, 3)
    shape = (draw.integer(1, 2), draw.integer(1, 2) * r * r, draw.integer(1, 3), draw.integer(1, 3))
    return Case((draw.floats(shape),), lambda x: depth2space(x, r))


DEPTH2SPACE: OpDef[int] = register(OpDef(
    "depth2space", _forward, _vjp, GradSpec(_sample), arg_names=("X",), broadcasts=False))


def depth2space(X: VariableLike, r: int) -> Variable:
    """Rearrange ``X`` of shape ``(B, r * r * C, H, W)`` to ``(B, C, H * r, W * r)``."""
    shape = shape_of(X, "depth2space", "X")
    if type(r) is not int:
        r = int_arg("depth2space", "r", r)
    check_nchw("depth2space", shape, r)
    if shape[1] % (r * r):
        raise ShapeError(f"depth2space: X has {shape[1]} channels (shape {shape}), not a multiple of "
                         f"r * r = {r * r}")
    return apply(DEPTH2SPACE, (X,), r)

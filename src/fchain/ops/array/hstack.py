"""hstack(xs): the inputs joined column wise, as numpy's ``hstack``.

Inputs with 2 or more dimensions are joined along axis 1 (every other axis must
agree); 1-d inputs along axis 0 (their lengths may differ); 0-d inputs are read as
``(1,)``.  Rules shared with ``vstack`` and ``dstack`` (``_stacks.py``): VJP,
``gy`` split back at the inputs' boundaries.  Residuals: none.
"""

from __future__ import annotations

from collections.abc import Iterable

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import VariableLike, sequence_arg
from fchain.ops.array._stacks import StackParams, stack_forward, stack_params, stack_vjp
from fchain.types import Shape

__all__ = ["HSTACK", "hstack"]


def _layout(shape: Shape) -> tuple[Shape, int, bool]:
    if not shape:
        return (1,), 0, False
    return shape, (0 if len(shape) == 1 else 1), False


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(max_dims=3))
    xs = []
    for _ in range(draw.integer(1, 3)):
        if len(shape) >= 1:
            shape[0 if len(shape) == 1 else 1] = draw.integer(1, 3)
        xs.append(draw.floats(tuple(shape)))
    return Case(tuple(xs), lambda *vs: hstack(vs))


HSTACK: OpDef[StackParams] = register(OpDef(
    "hstack", stack_forward, stack_vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def hstack(xs: Iterable[VariableLike]) -> Variable:
    """Join ``xs`` column wise (axis 1; axis 0 for 1-d inputs).  All inputs share
    ``ndim`` and dtype."""
    seq = sequence_arg("hstack", xs)
    return apply(HSTACK, seq, stack_params("hstack", seq, _layout))

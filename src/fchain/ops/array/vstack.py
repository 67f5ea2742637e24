"""vstack(xs): the inputs joined row wise, as numpy's ``vstack``.

Inputs with 2 or more dimensions are joined along axis 0 (every other axis must
agree); 0-d and 1-d inputs (all of one shape) are read as ``(1, N)`` rows.  Rules
shared with ``hstack`` and ``dstack`` (``_stacks.py``): VJP, ``gy`` split back at
the inputs' boundaries.  Residuals: none.
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

__all__ = ["VSTACK", "vstack"]


def _layout(shape: Shape) -> tuple[Shape, int, bool]:
    if len(shape) < 2:
        return (1, shape[0] if shape else 1), 0, True
    return shape, 0, False


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(max_dims=3))
    xs = []
    for _ in range(draw.integer(1, 3)):
        if len(shape) >= 2:
            shape[0] = draw.integer(1, 3)
        xs.append(draw.floats(tuple(shape)))
    return Case(tuple(xs), lambda *vs: vstack(vs))


VSTACK: OpDef[StackParams] = register(OpDef(
    "vstack", stack_forward, stack_vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def vstack(xs: Iterable[VariableLike]) -> Variable:
    """Join ``xs`` row wise (axis 0; 1-d inputs become rows).  All inputs share
    ``ndim`` and dtype."""
    seq = sequence_arg("vstack", xs)
    return apply(VSTACK, seq, stack_params("vstack", seq, _layout))

"""dstack(xs): the inputs joined depth wise, as numpy's ``dstack``.

Inputs with 3 or more dimensions are joined along axis 2 (every other axis must
agree); inputs with fewer (all of one shape) are read as ``(1, 1, 1)``,
``(1, N, 1)`` or ``(M, N, 1)``.  Rules shared with ``hstack`` and ``vstack``
(``_stacks.py``): VJP, ``gy`` split back at the inputs' boundaries.  Residuals:
none.
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

__all__ = ["DSTACK", "dstack"]


def _layout(shape: Shape) -> tuple[Shape, int, bool]:
    if len(shape) == 0:
        return (1, 1, 1), 2, True
    if len(shape) == 1:
        return (1, shape[0], 1), 2, True
    if len(shape) == 2:
        return shape + (1,), 2, True
    return shape, 2, False


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(max_dims=4))
    xs = []
    for _ in range(draw.integer(1, 3)):
        if len(shape) >= 3:
            shape[2] = draw.integer(1, 3)
        xs.append(draw.floats(tuple(shape)))
    return Case(tuple(xs), lambda *vs: dstack(vs))


DSTACK: OpDef[StackParams] = register(OpDef(
    "dstack", stack_forward, stack_vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def dstack(xs: Iterable[VariableLike]) -> Variable:
    """Join ``xs`` depth wise (axis 2; inputs with fewer dimensions get them as
    numpy's ``atleast_3d``).  All inputs share ``ndim`` and dtype."""
    seq = sequence_arg("dstack", xs)
    return apply(DSTACK, seq, stack_params("dstack", seq, _layout))

"""flatten(x): x's elements as a one-dimensional array (C order).

VJP: ``gy`` reshaped back to x's shape.  Residuals: none.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["FLATTEN", "flatten"]


def _forward(xp: ArrayNamespace, inputs: Inputs, in_shape: Shape) -> Forwarded:
    return (xp.reshape(inputs[0], (-1,)),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, in_shape: Shape) -> Grads:
    return (xp.reshape(grads[0], in_shape),)


def _sample(draw: Draw) -> Case:
    return Case((draw.floats(draw.shape()),), flatten)


FLATTEN: OpDef[Shape] = register(
    OpDef("flatten", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def flatten(x: VariableLike) -> Variable:
    """All elements of ``x`` in one axis."""
    return apply(FLATTEN, (x,), shape_of(x, "flatten"))

"""separate(x, axis=0): ``x`` cut into its slices along ``axis``, each with that axis
removed (the inverse of ``stack``).

Outputs are views of ``x``.  VJP: the output gradients stacked along ``axis`` (an
output that takes no part in the loss gets zeros, as in Chainer).  Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, axis_arg, shape_of
from fchain.types import ArrayNamespace

__all__ = ["SEPARATE", "SeparateParams", "separate"]

_NAME = "separate"


@dataclass(frozen=True, slots=True)
class SeparateParams:
    axis: int


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SeparateParams) -> Forwarded:
    x = inputs[0]
    lead = (slice(None),) * p.axis
    return tuple(x[lead + (k,)] for k in range(x.shape[p.axis])), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SeparateParams) -> Grads:
    return (xp.stack(grads, axis=p.axis),)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    only_first = draw.boolean()

    def call(x: Variable) -> Variable | tuple[Variable, ...]:
        ys = separate(x, axis)
        return ys[0] if only_first else ys

    return Case((draw.floats(shape),), call)


SEPARATE: MultiOutputOp[SeparateParams] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def separate(x: VariableLike, axis: int = 0) -> tuple[Variable, ...]:
    """The slices of ``x`` along ``axis``, each with that axis removed: a tuple of
    ``x.shape[axis]`` Variables."""
    shape = shape_of(x, _NAME)
    axis = axis_arg(_NAME, axis, len(shape))
    return apply(SEPARATE, (x,), SeparateParams(axis))

"""broadcast_to(x, shape).  VJP: gy itself; the traversal sums it back to x's shape."""

from __future__ import annotations

from collections.abc import Sequence

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_arg, shape_of
from fchain.types import ArrayNamespace, Shape

__all__ = ["BROADCAST_TO", "broadcast_to"]


def _forward(xp: ArrayNamespace, inputs: Inputs, shape: Shape) -> Forwarded:
    return (xp.broadcast_to(inputs[0], shape),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, shape: Shape) -> Grads:
    return (grads[0],)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    return Case((draw.floats(draw.broadcastable_shape(shape)),), lambda x: broadcast_to(x, shape))


BROADCAST_TO: OpDef[Shape] = register(
    OpDef("broadcast_to", _forward, _vjp, GradSpec(_sample), float_inputs=()))


def broadcast_to(x: VariableLike, shape: Sequence[int]) -> Variable:
    """``x`` broadcast to ``shape`` by numpy's rules."""
    target = shape_arg("broadcast_to", "shape", shape)
    in_shape = shape_of(x, "broadcast_to")
    ok = len(in_shape) <= len(target) and all(
        a == b or a == 1 for a, b in zip(reversed(in_shape), reversed(target)))
    if not ok:
        raise ShapeError(f"broadcast_to: cannot broadcast x of shape {in_shape} to {target}")
    return apply(BROADCAST_TO, (x,), target)

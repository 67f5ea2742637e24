"""identity(*xs): the inputs again, as new Variables (one Variable, or a tuple of several).

The outputs share the inputs' arrays, as in Chainer.  A multi-output op when given
several inputs: an output that takes no part in the loss gets a zero gradient.
VJP: the gradients pass through.  Residuals: the first input, kept only so the
zero gradients of unused outputs are made on its device.
"""

from __future__ import annotations

from typing import overload

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["IDENTITY", "identity"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: None) -> Forwarded:
    return inputs, inputs[:1]


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: None) -> Grads:
    return grads


def _sample(draw: Draw) -> Case:
    count = draw.integer(1, 3)
    xs = tuple(draw.floats(draw.shape()) for _ in range(count))
    pick = draw.integer(0, count - 1) if count > 1 and draw.boolean() else None

    def call(*vs: Variable) -> Variable | tuple[Variable, ...]:
        ys = identity(*vs)
        if isinstance(ys, tuple) and pick is not None:
            return ys[pick]  # the other outputs then get zero gradients
        return ys

    return Case(xs, call)


IDENTITY: MultiOutputOp[None] = register(MultiOutputOp("identity", _forward, _vjp, GradSpec(_sample), float_inputs=()))


@overload
def identity(x: VariableLike, /) -> Variable: ...
@overload
def identity(x0: VariableLike, x1: VariableLike, /, *xs: VariableLike) -> tuple[Variable, ...]: ...


def identity(*xs: VariableLike) -> Variable | tuple[Variable, ...]:
    """The inputs unchanged, as new Variables: one input gives a Variable, several a tuple."""
    if not xs:
        raise TypeError("identity: expected at least one input")
    try:
        ys = apply(IDENTITY, xs, None)
    except TypeError:
        name_arrays("identity", *((f"xs[{i}]", x) for i, x in enumerate(xs)))
        raise
    return ys[0] if len(ys) == 1 else ys

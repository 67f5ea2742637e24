"""where(condition, x, y): ``x`` where ``condition`` holds, else ``y`` (numpy broadcasting).

``condition`` is a boolean array (or a Variable holding one) and gets no gradient.
VJP: ``gy`` routed to ``x`` where the condition holds and to ``y`` elsewhere; the
traversal sums it back to broadcast inputs' shapes.  Residuals: ``(condition,)``.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import ARRAY_KINDS, Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.types import ArrayNamespace

__all__ = ["WHERE", "where"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: None) -> Forwarded:
    condition, x, y = inputs
    return (xp.where(condition, x, y),), (condition,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: None) -> Grads:
    condition = residuals[0]
    gy = grads[0]
    return None, xp.where(condition, gy, 0.0), xp.where(condition, 0.0, gy)


def _sample(draw: Draw) -> Case:
    shape = draw.shape()
    shapes = [shape, draw.broadcastable_shape(shape), draw.broadcastable_shape(shape)]
    order = draw.choice([(0, 1, 2), (1, 0, 2), (2, 1, 0)])  # any of the three may be the widest
    c_shape, x_shape, y_shape = (shapes[i] for i in order)
    c = draw.integers(c_shape, 0, 1)

    def call(cv: Variable, x: Variable, y: Variable) -> Variable:
        return where(cv.xp.asarray(cv.array > 0), x, y)

    return Case((c, draw.floats(x_shape), draw.floats(y_shape)), call)


WHERE: OpDef[None] = register(OpDef("where", _forward, _vjp, GradSpec(_sample), arg_names=("condition", "x", "y"), float_inputs=(1, 2)))


def where(condition: VariableLike, x: VariableLike, y: VariableLike) -> Variable:
    """Elementwise choice: ``x`` where ``condition`` is True, ``y`` where it is False."""
    dtype = getattr(condition, "dtype", None)
    if dtype is None:
        raise TypeError(f"where: condition must be {ARRAY_KINDS} of dtype bool, "
                        f"got {type(condition).__name__}")
    if dtype.kind != "b":
        raise DTypeError(
            f"where: condition must have dtype bool, got {dtype}; compare first, e.g. where(a > 0, x, y)")
    try:
        return apply(WHERE, (condition, x, y), None)
    except TypeError:
        name_arrays("where", ("condition", condition), ("x", x), ("y", y))
        raise

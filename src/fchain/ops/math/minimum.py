"""minimum(x1, x2), elementwise, with numpy broadcasting.

VJP: gx1 = gy * (x1 <= x2), gx2 = gy * (x1 > x2).
Residuals: (x1, x2), the inputs.

Convention at ties (Chainer's): where ``x1 == x2`` the whole gradient goes to
``x1`` and none to ``x2``.  The masks carry no gradient, so the backward is linear
in ``gy`` and differentiable again.  The rule and the spec's sampling are shared
with ``maximum`` (``fchain.ops.math._minmax``).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.ops.math._minmax import draw_untied_pair_case, pairwise_vjp
from fchain.types import ArrayNamespace

__all__ = ["MINIMUM", "minimum"]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    x1, x2 = inputs
    return (xp.minimum(x1, x2),), (x1, x2)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    x1, x2 = residuals
    return pairwise_vjp(xp, grads[0], xp.less_equal(x1, x2))


def _sample(draw: Draw) -> Case:
    return draw_untied_pair_case(draw, minimum)


MINIMUM: OpDef[None] = register(OpDef(
    "minimum", _forward, _vjp, GradSpec(_sample, conventions=("ties: the gradient goes to x1",)),
    arg_names=("x1", "x2"), float_inputs=(0, 1)))


def minimum(x1: VariableLike, x2: VariableLike) -> Variable:
    """Elementwise smaller of ``x1`` and ``x2`` (same floating dtype; broadcasting applies).

    Where the two are equal, the gradient goes to ``x1`` (Chainer's convention).
    """
    try:
        return apply(MINIMUM, (x1, x2), None)
    except TypeError:
        name_arrays("minimum", ("x1", x1), ("x2", x2))
        raise

"""An op is one value: ``OpDef(name, forward, vjp, spec)``.

``forward(xp, inputs, params) -> (outputs, residuals)`` computes the outputs and
whatever the backward needs; ``vjp(xp, residuals, grad_outputs, params) ->
grad_inputs`` maps output gradients to input gradients (``None`` where an input has
none).  Both are pure.  A vjp written only against ``xp`` runs unchanged on the
second-order namespace, which is how double backprop keeps one source of truth; a
residual that depends on an input must be that input or an output array itself (by
identity), so the second-order pass can reconnect it to the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fchain.core.spec import GradSpec, NotDifferentiable
from fchain.types import Array, ArrayNamespace

__all__ = ["Forward", "OpDef", "P", "Vjp"]

P = TypeVar("P")

Forward = Callable[[ArrayNamespace, tuple[Array, ...], P], tuple[tuple[Array, ...], tuple[Array, ...]]]
Vjp = Callable[[ArrayNamespace, tuple[Array, ...], tuple[Array, ...], P], tuple[Array | None, ...]]


@dataclass(frozen=True, slots=True, eq=False)
class OpDef(Generic[P]):
    """A differentiable operation, as data.

    ``float_inputs`` lists the inputs that must be floating point and share one
    dtype (checked on every call: the check is a couple of attribute reads).
    ``double_differentiable`` is False for an op whose vjp uses something the
    second-order namespace cannot differentiate; asking it for second order raises.
    ``broadcasts`` is False for an op whose vjp always returns each input's gradient
    in that input's shape (the property test checks the promise): the plain
    first-order ``backward()`` then skips the un-broadcasting check for its inputs.
    """

    name: str
    forward: Forward[P]
    vjp: Vjp[P]
    spec: GradSpec | NotDifferentiable
    float_inputs: tuple[int, ...] = (0,)
    double_differentiable: bool = True
    broadcasts: bool = True

    def __repr__(self) -> str:
        return f"OpDef({self.name!r})"


AnyOp = OpDef[Any]

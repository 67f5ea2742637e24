"""``Swish``: the swish activation around ``F.swish``, ``y = x * sigmoid(beta * x)``
with a learned ``beta``.

``Swish(beta_shape, beta_init=1.0)``: ``beta`` of ``beta_shape`` (laid along the
axes after the batch), filled with ``beta_init``; ``Swish(None)`` takes the shape
from the first batch (``x.shape[1:]``, one ``beta`` per element of a sample).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.initializers.constant import Constant
from fchain.ops.activation.swish import swish
from fchain.types import Array

__all__ = ["Swish"]


class Swish(Link):
    """Swish with parameter ``beta``.

    Args:
        beta_shape: the shape of ``beta``, or ``None`` to take ``x.shape[1:]`` from
            the first batch.
        beta_init: initializer, array or scalar for ``beta`` (default 1.0).
    """

    beta: Parameter

    def __init__(self, beta_shape: int | Sequence[int] | None, beta_init: InitializerLike = 1.0) -> None:
        super().__init__()
        init = as_initializer(beta_init, lambda: Constant(1.0), "Swish(beta_init=...)")
        with self.init_scope():
            if beta_shape is None:
                self.beta = Parameter(init)
            else:
                dims = (int(beta_shape),) if isinstance(beta_shape, int) else tuple(int(n) for n in beta_shape)
                self.beta = Parameter(init, dims)

    def forward(self, x: Variable | Array) -> Variable:
        """``swish(x, beta)``; sizes ``beta`` as ``x.shape[1:]`` on the first call
        when its shape was left out."""
        if self.beta._data is None:
            self._initialize_param(self.beta, tuple(int(n) for n in x.shape[1:]))
        return swish(x, self.beta)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "beta_shape", None if self.beta._data is None else self.beta.shape

"""``LayerNormalization``: layer normalization around ``F.layer_normalization``.

Each row of a ``(batch, units)`` input is normalized by its own mean and variance,
then scaled by ``gamma`` (default 1) and shifted by ``beta`` (default 0), both of
shape ``(units,)``.  ``LayerNormalization()`` takes ``units`` from the first
batch (the product of its non-batch axes, as in Chainer).  ``eps`` defaults to
``1e-6`` here (the function's default is ``1e-5``; Chainer's link and function
differ the same way).
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import One, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count_or_none
from fchain.ops._common import real_arg
from fchain.ops.normalization.layer_normalization import layer_normalization
from fchain.types import Array

__all__ = ["LayerNormalization"]


class LayerNormalization(Link):
    """Layer normalization with a learned scale ``gamma`` and shift ``beta``.

    Args:
        size: units per row, or ``None`` to take them from the first batch.
        eps: added to the variance.
        initial_gamma, initial_beta: initializers (default 1 and 0).
    """

    gamma: Parameter
    beta: Parameter
    eps: float

    def __init__(self, size: int | None = None, eps: float = 1e-6, initial_gamma: InitializerLike = None,
                 initial_beta: InitializerLike = None) -> None:
        super().__init__()
        cls = "LayerNormalization"
        n = count_or_none(cls, "size", size)
        self.eps = real_arg(cls, "eps", eps)
        with self.init_scope():
            self.gamma = Parameter(as_initializer(initial_gamma, One, f"{cls}(initial_gamma=...)"))
            self.beta = Parameter(as_initializer(initial_beta, Zero, f"{cls}(initial_beta=...)"))
        if n is not None:
            self._initialize_params(n)

    def _initialize_params(self, size: int) -> None:
        self._initialize_param(self.gamma, size)
        self._initialize_param(self.beta, size)

    def forward(self, x: Variable | Array) -> Variable:
        """``layer_normalization(x, gamma, beta, eps)``; sizes ``gamma`` and ``beta``
        from ``x`` on the first call when the size was left out."""
        if self.gamma._data is None:
            units = 1
            for n in tuple(x.shape)[1:]:
                units *= int(n)
            self._initialize_params(units)
        return layer_normalization(x, self.gamma, self.beta, self.eps)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "eps", self.eps

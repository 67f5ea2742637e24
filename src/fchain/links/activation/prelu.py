"""``PReLU``: the parametric ReLU around ``F.prelu``, ``y = x`` where ``x >= 0`` and
``W * x`` elsewhere, with a learned slope ``W``.

``PReLU(shape=(), init=0.25)``: ``W`` of ``shape`` (laid along the axes after the
batch: ``()`` shares one slope, ``(C,)`` one per channel), filled with ``init``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.initializers.constant import Constant
from fchain.ops.activation.prelu import prelu
from fchain.types import Array

__all__ = ["PReLU"]


class PReLU(Link):
    """Parametric ReLU with slope parameter ``W``.

    Args:
        shape: the shape of ``W`` (default ``()``: one slope for every element).
        init: initializer, array or scalar for ``W`` (default 0.25).
    """

    W: Parameter

    def __init__(self, shape: int | Sequence[int] = (), init: InitializerLike = 0.25) -> None:
        super().__init__()
        dims = (int(shape),) if isinstance(shape, int) else tuple(int(n) for n in shape)
        with self.init_scope():
            self.W = Parameter(as_initializer(init, lambda: Constant(0.25), "PReLU(init=...)"), dims)

    def forward(self, x: Variable | Array) -> Variable:
        """``prelu(x, W)``."""
        return prelu(x, self.W)

"""``GroupNormalization``: group normalization (Wu and He, 2018) around
``F.group_normalization``.

Each sample's channels are split into ``groups`` groups, each normalized by its own
mean and variance, then scaled by ``gamma`` (default 1) and shifted by ``beta``
(default 0), both of shape ``(channels,)`` and of the "high precision" dtype
(float32 under ``mixed16``).  ``GroupNormalization(groups)`` takes the channels
from the first batch.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy

from fchain.errors import ShapeError
from fchain.facade.link import Link
from fchain.graph.config import get_dtype
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import One, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count, count_or_none
from fchain.links.normalization._typed_initializer import with_dtype
from fchain.ops._common import real_arg
from fchain.ops.normalization.group_normalization import group_normalization
from fchain.types import Array

__all__ = ["GroupNormalization"]


class GroupNormalization(Link):
    """Group normalization with a learned scale ``gamma`` and shift ``beta``.

    Args:
        groups: channel groups; must divide the channels.
        size: channels, or ``None`` to take them from the first batch.
        eps: added to the variance.
        initial_gamma, initial_beta: initializers (default 1 and 0).
    """

    gamma: Parameter
    beta: Parameter
    groups: int
    eps: float

    def __init__(self, groups: int, size: int | None = None, eps: float = 1e-5,
                 initial_gamma: InitializerLike = None, initial_beta: InitializerLike = None) -> None:
        super().__init__()
        cls = "GroupNormalization"
        self.groups = count(cls, "groups", groups)
        n = count_or_none(cls, "size", size)
        self.eps = real_arg(cls, "eps", eps)
        dtype = get_dtype(None, map_mixed16=numpy.float32)
        with self.init_scope():
            self.gamma = Parameter(with_dtype(as_initializer(initial_gamma, One, f"{cls}(initial_gamma=...)"), dtype))
            self.beta = Parameter(with_dtype(as_initializer(initial_beta, Zero, f"{cls}(initial_beta=...)"), dtype))
        if n is not None:
            self._initialize_params(n)

    def _initialize_params(self, size: int) -> None:
        self._initialize_param(self.gamma, size)
        self._initialize_param(self.beta, size)

    def forward(self, x: Variable | Array) -> Variable:
        """``group_normalization(x, groups, gamma, beta, eps)``; sizes ``gamma`` and
        ``beta`` from ``x``'s channels on the first call when the size was left out."""
        if self.gamma._data is None:
            shape = tuple(x.shape)
            if len(shape) < 2:
                raise ShapeError(f"GroupNormalization: x has shape {shape}; it needs a batch and a channel axis")
            self._initialize_params(int(shape[1]))
        return group_normalization(x, self.groups, self.gamma, self.beta, self.eps)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "groups", self.groups
        yield "eps", self.eps

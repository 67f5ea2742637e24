"""A custom link written in Chainer's lazy-initialization idiom passes ``mypy
--strict``: ``self.W.array is None`` until the first batch tells the input size,
and the type says so (``Parameter.array`` is ``Array | None``)."""

from __future__ import annotations

import numpy as np

import fchain
import fchain.functions as F
from fchain import Link, Parameter, Variable, initializers
from fchain.types import Array


class LazyLinear(Link):
    """``y = x W^T``, with ``W`` sized by the first input it sees."""

    def __init__(self, out_size: int) -> None:
        super().__init__()
        self.out_size = out_size
        with self.init_scope():
            self.W = Parameter(initializers.LeCunNormal())

    def forward(self, x: Variable | Array) -> Variable:
        if self.W.array is None:  # Chainer's idiom: initialize on the first call
            self.W.initialize((self.out_size, int(np.prod(x.shape[1:]))))
        return F.linear(x, self.W)


def main() -> tuple[int, ...]:
    link = LazyLinear(2)
    assert link.W.array is None and not link.W.is_initialized
    y = link(np.ones((4, 3), dtype=np.float32))
    weights = link.W.array
    assert weights is not None  # initialized by the call: the narrowing a user writes
    assert fchain.Variable(weights).shape == (2, 3)
    return y.shape


if __name__ == "__main__":
    print(main())

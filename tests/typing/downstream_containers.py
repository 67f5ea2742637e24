"""Custom links as a user types them: a Link with its own parameters and
persistent, a ChainList of blocks, a Sequential built from links and functions and
grown with ``append``, a link passed where a callable is expected, and an
optimizer driven by ``update(lossfun, ...)``.

Checked by ``mypy --strict`` and ``pyright --strict``; run by
``test_downstream_programs.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_type

import numpy as np

import fchain
import fchain.functions as F
import fchain.links as L
from fchain import Variable, initializers, optimizers
from fchain.types import Array


class Affine(fchain.Link):
    """``x * gamma + beta`` with a counter of calls kept as a persistent value."""

    calls: int

    def __init__(self, size: int) -> None:
        super().__init__()
        with self.init_scope():
            self.gamma = fchain.Parameter(initializers.One(), (size,))
            self.beta = fchain.Parameter(initializers.Zero(), (size,))
        self.add_persistent("calls", 0)

    def forward(self, x: Variable | Array) -> Variable:
        self.calls += 1
        return x * self.gamma + self.beta


class Blocks(fchain.ChainList[L.Linear]):
    def __init__(self, *sizes: int) -> None:
        super().__init__(*(L.Linear(a, b) for a, b in zip(sizes, sizes[1:])))

    def forward(self, x: Variable | Array) -> Variable:
        h = fchain.as_variable(x)
        for layer in self:
            h = F.relu(layer(h))
        return h


def apply_twice(f: Callable[..., Variable], x: Array) -> Variable:
    return f(f(x))


def call_any_link(link: fchain.Link, x: Array) -> Variable:
    """A link known only as a Link takes any arguments and gives a Variable."""
    return link(x)


def main() -> float:
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    seq = fchain.Sequential(L.Linear(3, 4), F.relu)
    seq.append(L.Linear(4, 3))
    seq.append(Affine(3))
    blocks = Blocks(3, 6, 3)
    layer: Callable[..., Variable] = L.Linear(3, 3)

    model = fchain.Sequential(blocks, seq)
    optimizer = optimizers.Adam().setup(model)

    def lossfun(x: Array) -> Variable:
        return F.sum(model(x) ** 2)

    optimizer.update(lossfun, x)
    y = apply_twice(layer, x)
    assert_type(blocks(x), Variable)  # typed from Blocks.forward
    assert_type(call_any_link(blocks, x), Variable)
    assert_type(seq[0], Callable[..., Variable])
    twin = blocks.copy("copy")
    first: L.Linear = twin[0]
    assert first.W.array is not None
    return float(y.array.sum()) + float(lossfun(x).array)


if __name__ == "__main__":
    print(main())

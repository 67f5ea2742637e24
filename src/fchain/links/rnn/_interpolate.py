"""``p * x + (1 - p) * y``, the gated mix of the GRU and MGU links.

Chainer computes it with ``F.linear_interpolate``, which fchain's ``F`` does not
have yet; this composition of ``mul``, ``rsub`` and ``add`` gives its forward bit
for bit (the same three products and one sum, in Chainer's order).  Its gradients
are the same values rounded in another order (``gz * x - gz * y`` where Chainer
computes ``(x - y) * gz``, ``gz * (1 - p)`` for ``gz - p * gz``): a few ulps apart.
"""

from __future__ import annotations

from fchain.graph.variable import Variable

__all__ = ["interpolate"]


def interpolate(p: Variable, x: Variable, y: Variable) -> Variable:
    """``p * x + (1 - p) * y``, elementwise."""
    return p * x + (1 - p) * y

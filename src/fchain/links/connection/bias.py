"""``Bias``: adds a learned bias ``b`` (or a second input) laid along ``x``'s axes
from ``axis`` on (Chainer's ``F.bias``: ``x + broadcast(b)``).

``Bias(axis=1, shape=None)``: with ``shape`` the link learns ``b`` of that shape
(filled with 0) and is called ``bias(x)``; without it the link has no parameter
and is called ``bias(x, y)``, adding ``y``.  (``b`` is ``None`` then, where
Chainer's link has no ``b`` attribute at all.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import Zero
from fchain.ops.math._axis_operand import along_axis
from fchain.ops.math.add import add
from fchain.types import Array

__all__ = ["Bias"]


def _dims(shape: int | Sequence[int]) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int) else tuple(int(n) for n in shape)


class Bias(Link):
    """Broadcast addition of a learned bias (or of a second input).

    Args:
        axis: the first axis of ``x`` the bias is laid along.
        shape: the shape of the learned ``b``; ``None`` for none (then call the
            link with the bias as the second argument).
    """

    b: Parameter | None
    axis: int

    def __init__(self, axis: int = 1, shape: int | Sequence[int] | None = None) -> None:
        super().__init__()
        self.axis = int(axis)
        with self.init_scope():
            self.b = None if shape is None else Parameter(Zero(), _dims(shape))

    def forward(self, x: Variable | Array, y: Variable | Array | None = None) -> Variable:
        """``x + b`` (or ``x + y`` for a link without ``b``), the bias broadcast
        along ``x``'s axes from ``axis`` on."""
        bias = self.b if self.b is not None else y
        if bias is None or (self.b is not None and y is not None):
            raise TypeError("Bias: call it as bias(x) when it learns b (shape given), else as bias(x, y)")
        return add(x, along_axis("Bias", x, bias, self.axis))

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "axis", self.axis

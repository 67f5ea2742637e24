"""``Scale``: multiplies by a learned ``W`` (or a second input) laid along ``x``'s
axes from ``axis`` on (Chainer's ``F.scale``: ``x * broadcast(W)``), optionally
followed by a learned ``Bias``.

``Scale(axis=1, W_shape=None, bias_term=False, bias_shape=None)``: with
``W_shape`` the link learns ``W`` (filled with 1) and is called ``scale(x)``;
without it, ``scale(x, y)`` multiplies by ``y``.  ``bias_term`` adds a child
``bias`` (a ``Bias`` of ``W_shape``, else of ``bias_shape``; Chainer's key
``bias/b``).  (``W`` and ``bias`` are ``None`` when absent, where Chainer's link has
no such attribute.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fchain.facade.link import Chain
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import One
from fchain.links.connection.bias import Bias
from fchain.ops.math._axis_operand import along_axis
from fchain.ops.math.mul import mul
from fchain.types import Array

__all__ = ["Scale"]


class Scale(Chain):
    """Broadcast multiplication by a learned ``W`` (or a second input), then an
    optional learned bias.

    Args:
        axis: the first axis of ``x`` the scale is laid along.
        W_shape: the shape of the learned ``W``; ``None`` for none (then call the
            link with the scale as the second argument).
        bias_term: add a learned bias after scaling.
        bias_shape: the bias's shape when ``W_shape`` is ``None`` (required then).
    """

    W: Parameter | None
    bias: Bias | None
    axis: int

    def __init__(self, axis: int = 1, W_shape: int | Sequence[int] | None = None, bias_term: bool = False,
                 bias_shape: int | Sequence[int] | None = None) -> None:
        super().__init__()
        self.axis = int(axis)
        with self.init_scope():
            if W_shape is not None:
                dims = (int(W_shape),) if isinstance(W_shape, int) else tuple(int(n) for n in W_shape)
                self.W = Parameter(One(), dims)
                self.bias = Bias(self.axis, dims) if bias_term else None
            else:
                self.W = None
                if bias_term and bias_shape is None:
                    raise ValueError("Scale: bias_shape should be given if W is not a learned parameter and "
                                     "bias_term is True")
                self.bias = Bias(self.axis, bias_shape) if bias_term else None

    def forward(self, x: Variable | Array, y: Variable | Array | None = None) -> Variable:
        """``x * W`` (or ``x * y`` for a link without ``W``), broadcast along ``x``'s
        axes from ``axis`` on, then the bias when there is one."""
        factor = self.W if self.W is not None else y
        if factor is None or (self.W is not None and y is not None):
            raise TypeError("Scale: call it as scale(x) when it learns W (W_shape given), else as scale(x, y)")
        z = mul(x, along_axis("Scale", x, factor, self.axis))
        return z if self.bias is None else self.bias(z)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "axis", self.axis

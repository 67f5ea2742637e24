"""``Maxout``: a fully connected layer followed by ``F.maxout``, a ``Chain`` with
one child ``linear`` (Chainer's key: ``linear/W``, ``linear/b``).

``Maxout(in_size, out_size, pool_size)``: ``linear`` is
``Linear(in_size, out_size * pool_size)``, and each output unit is the maximum of
its ``pool_size`` consecutive linear outputs.  ``initialW`` may be given in the
``(out_size, pool_size, in_size)`` layout (an array, or a plain callable that
fills an array of that shape) and ``initial_bias`` in ``(out_size, pool_size)``;
``initial_bias=None`` means no bias.  Initializer objects and scalars go to
``Linear`` as they are (so ``initialW=None`` is ``LeCunNormal()`` on the
``(out_size * pool_size, in_size)`` matrix, as in Chainer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy

from fchain.core import backend
from fchain.facade.link import Chain
from fchain.graph.variable import Variable
from fchain.initializers._base import Initializer, InitializerLike
from fchain.links.connection.linear import Linear
from fchain.ops.activation.maxout import maxout
from fchain.types import Array

__all__ = ["Maxout"]


def _flat(value: InitializerLike, layout: tuple[int, ...], flat: tuple[int, ...], what: str) -> InitializerLike:
    """``value`` given in ``layout`` (Maxout's view), for an array of shape ``flat``
    (Linear's): arrays are reshaped, plain callables fill a reshaped view."""
    if value is None or isinstance(value, (int, float, Initializer, numpy.number)):
        return value
    if isinstance(value, numpy.ndarray) or backend.is_cupy_array(value):
        array = cast(Array, value)
        if array.ndim != len(layout):
            raise ValueError(f"Maxout: {what}.ndim should be {len(layout)}, got shape {array.shape}")
        return array.reshape(flat)
    if callable(value):
        fill: Callable[[Array], None] = value

        def in_layout(target: Array) -> None:
            fill(target.reshape(layout))  # a view of the contiguous target: filled in place

        return in_layout
    return value  # Linear rejects it with its own message


class Maxout(Chain):
    """Maxout units over a fully connected layer.

    Args:
        in_size: input features (``None``: from the first batch, for initializers
            that do not need it).
        out_size: output units.
        pool_size: linear outputs per unit.
        initialW: initializer of ``linear.W`` (see the module docstring).
        initial_bias: initializer of ``linear.b`` (default 0; ``None``: no bias).
    """

    linear: Linear
    out_size: int
    pool_size: int

    def __init__(self, in_size: int | None, out_size: int, pool_size: int, initialW: InitializerLike = None,
                 initial_bias: InitializerLike = 0) -> None:
        super().__init__()
        linear_out = int(out_size) * int(pool_size)
        n_in = -1 if in_size is None else int(in_size)  # -1: whatever the array holds
        W = _flat(initialW, (out_size, pool_size, n_in), (linear_out, n_in), "initialW")
        b = _flat(initial_bias, (out_size, pool_size), (linear_out,), "initial_bias")
        with self.init_scope():
            self.linear = Linear(in_size, linear_out, nobias=initial_bias is None, initialW=W, initial_bias=b)
        self.out_size = int(out_size)
        self.pool_size = int(pool_size)

    def forward(self, x: Variable | Array) -> Variable:
        """``maxout(linear(x), pool_size)``."""
        return maxout(self.linear(x), self.pool_size)

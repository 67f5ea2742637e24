"""``Bilinear``: the bilinear layer of Socher et al.'s neural tensor network around
``F.bilinear``: ``y[i, l] = e1[i] W[:, :, l] e2[i] + (e1 V1)[i, l] + (e2 V2)[i, l] + b[l]``.

``Bilinear(left_size, right_size, out_size)`` holds ``W`` ``(left_size,
right_size, out_size)`` and, unless ``nobias``, ``V1`` ``(left_size, out_size)``,
``V2`` ``(right_size, out_size)`` and ``b`` ``(out_size,)``.  Defaults as in
Chainer: ``W``, ``V1`` and ``V2`` from ``LeCunNormal()`` (whose fan is computed
from each shape), ``b`` zero; ``initial_bias`` is ``None`` or the triple
``(initialV1, initialV2, initialb)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import LeCunNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count
from fchain.ops.connection.bilinear import bilinear
from fchain.types import Array

__all__ = ["Bilinear"]


class Bilinear(Link):
    """A bilinear layer with ``W`` and (unless ``nobias``) ``V1``, ``V2`` and ``b``.

    Args:
        left_size: features of the first input ``e1``.
        right_size: features of the second input ``e2``.
        out_size: output features.
        nobias: only the bilinear term (no ``V1``, ``V2``, ``b``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: ``None`` (``V1`` and ``V2`` from ``LeCunNormal()``, ``b`` 0)
            or a tuple ``(initialV1, initialV2, initialb)``.
    """

    W: Parameter
    V1: Parameter | None
    V2: Parameter | None
    b: Parameter | None
    in_sizes: tuple[int, int]
    nobias: bool

    def __init__(self, left_size: int, right_size: int, out_size: int, nobias: bool = False,
                 initialW: InitializerLike = None,
                 initial_bias: tuple[InitializerLike, InitializerLike, InitializerLike] | None = None) -> None:
        super().__init__()
        cls = "Bilinear"
        left, right, out = (count(cls, name, v) for name, v in
                            (("left_size", left_size), ("right_size", right_size), ("out_size", out_size)))
        self.in_sizes = (left, right)
        self.nobias = bool(nobias)
        with self.init_scope():
            self.W = Parameter(as_initializer(initialW, LeCunNormal, f"{cls}(initialW=...)"), (left, right, out))
            if self.nobias:
                self.V1 = self.V2 = self.b = None
                return
            if initial_bias is None:
                init_v1: InitializerLike = None
                init_v2: InitializerLike = None
                init_b: InitializerLike = None
            elif isinstance(initial_bias, tuple) and len(initial_bias) == 3:
                init_v1, init_v2, init_b = initial_bias
            else:
                raise ValueError(f"{cls}: initial_bias must be a tuple (initialV1, initialV2, initialb) or None")
            self.V1 = Parameter(as_initializer(init_v1, LeCunNormal, f"{cls}(initial_bias[0]=...)"), (left, out))
            self.V2 = Parameter(as_initializer(init_v2, LeCunNormal, f"{cls}(initial_bias[1]=...)"), (right, out))
            self.b = Parameter(as_initializer(init_b, Zero, f"{cls}(initial_bias[2]=...)"), (out,))

    def forward(self, e1: Variable | Array, e2: Variable | Array) -> Variable:
        """``bilinear(e1, e2, W, V1, V2, b)`` (``bilinear(e1, e2, W)`` with ``nobias``)."""
        if self.nobias:
            return bilinear(e1, e2, self.W)
        return bilinear(e1, e2, self.W, self.V1, self.V2, self.b)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_sizes", self.in_sizes
        yield "nobias", self.nobias

    def zero_grads(self) -> None:
        """Chainer's leftover name of ``zerograds`` (deprecated: use ``cleargrads``)."""
        self.zerograds()

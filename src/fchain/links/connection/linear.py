"""``Linear``: the fully connected layer ``y = x W^T + b``.

``Linear(in_size, out_size)`` holds ``W`` of shape ``(out_size, in_size)`` and ``b``
of shape ``(out_size,)``.  ``Linear(out_size)`` and ``Linear(None, out_size)``
leave ``W`` uninitialized until the first call, which takes ``in_size`` from the
input (the product of its non-batch axes).  Defaults as in Chainer: ``W`` from
``LeCunNormal()``, ``b`` zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import LeCunNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links.connection._from_params import bias_array, weight_array
from fchain.ops.connection.linear import linear
from fchain.types import Array

__all__ = ["Linear"]


def _check_size(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"Linear: {what} must be a non-negative int or None, got {value!r}")
    return value


class Linear(Link):
    """A linear layer with weight ``W`` and (unless ``nobias``) bias ``b``.

    Args:
        in_size: input features, or ``None`` to infer them from the first input.
            With ``out_size`` omitted, this is the output size and the input size
            is inferred (``Linear(3)`` == ``Linear(None, 3)``).
        out_size: output features.
        nobias: no bias parameter (``b`` is ``None``).
        initialW: initializer, array or scalar for ``W`` (default ``LeCunNormal()``).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
    """

    in_size: int | None
    nobias: bool

    W: Parameter
    b: Parameter | None

    def __init__(self, in_size: int | None, out_size: int | None = None, nobias: bool = False,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None) -> None:
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        self.in_size = _check_size(in_size, "in_size")
        out = _check_size(out_size, "out_size")
        if out is None:
            raise TypeError("Linear: out_size is required (give Linear(out_size) or Linear(in_size, out_size))")
        self.out_size: int = out
        self.nobias = bool(nobias)
        with self.init_scope():
            self.W = Parameter(as_initializer(initialW, LeCunNormal, "Linear(initialW=...)"))
            if self.in_size is not None:
                self._initialize_params(self.in_size)
            if self.nobias:
                self.b = None
            else:
                bias_init = as_initializer(initial_bias, Zero, "Linear(initial_bias=...)")
                self.b = Parameter(bias_init, self.out_size)

    @classmethod
    def from_params(cls, W: Variable | Array, b: Variable | Array | None = None, nobias: bool = False) -> Self:
        """The layer whose ``W`` (``(out_size, in_size)``) and ``b`` start as copies
        of the given ones (Chainer 7's ``from_params``)."""
        where = f"{cls.__name__}.from_params"
        w = weight_array(where, W, 2)
        out_size, in_size = int(w.shape[0]), int(w.shape[1])
        return cls(in_size, out_size, nobias, initialW=w, initial_bias=bias_array(where, b, out_size))

    def _initialize_params(self, in_size: int) -> None:
        self._initialize_param(self.W, (self.out_size, in_size))

    def forward(self, x: Variable | Array, n_batch_axes: int = 1) -> Variable:
        """``linear(x, W, b, n_batch_axes)``; initializes ``W`` on the first call when
        the input size was left out."""
        W = self.W
        if W._data is None:
            shape = x.shape
            if len(shape) <= n_batch_axes:
                from fchain.errors import ShapeError

                raise ShapeError(
                    f"Linear: x has shape {tuple(shape)} but needs more than n_batch_axes={n_batch_axes} "
                    "axes to infer the input size")
            in_size = 1
            for n in shape[n_batch_axes:]:
                in_size *= int(n)
            self._initialize_params(in_size)
        return linear(x, W, self.b, n_batch_axes)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.in_size
        yield "out_size", self.out_size
        yield "nobias", self.nobias

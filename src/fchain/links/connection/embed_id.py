"""``EmbedID``: a lookup table of ``in_size`` vectors of ``out_size`` units, the
word-embedding layer (``y = W[x]``, ``F.embed_id``).

``W`` has shape ``(in_size, out_size)`` and, as in Chainer, is drawn from
``Normal(1.0)`` by default (not ``LeCunNormal``: an embedding row is not a
weighted sum of inputs).  With ``ignore_label``, the ids equal to it give zero
vectors and pass no gradient, Chainer's padding convention.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import Normal
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count
from fchain.links.connection._from_params import weight_array
from fchain.ops._common import int_arg
from fchain.ops.connection.embed_id import embed_id
from fchain.types import Array

__all__ = ["EmbedID"]


class EmbedID(Link):
    """An embedding matrix ``W`` looked up by integer ids.

    Args:
        in_size: the number of ids (the vocabulary size).
        out_size: the units of each embedding vector.
        initialW: initializer, array or scalar for ``W`` (default ``Normal(1.0)``).
        ignore_label: an id whose rows of the output are zero (``None``: none).
    """

    W: Parameter
    ignore_label: int | None

    def __init__(self, in_size: int, out_size: int, initialW: InitializerLike = None,
                 ignore_label: int | None = None) -> None:
        super().__init__()
        n_ids = count("EmbedID", "in_size", in_size)
        units = count("EmbedID", "out_size", out_size)
        self.ignore_label = None if ignore_label is None else int_arg("EmbedID", "ignore_label", ignore_label)
        with self.init_scope():
            init = as_initializer(initialW, lambda: Normal(1.0), "EmbedID(initialW=...)")
            self.W = Parameter(init, (n_ids, units))

    @classmethod
    def from_params(cls, W: Variable | Array, ignore_label: int | None = None) -> Self:
        """The embedding whose ``W`` (``(in_size, out_size)``) starts as a copy of the
        given one (Chainer 7's ``from_params``)."""
        w = weight_array(f"{cls.__name__}.from_params", W, 2)
        return cls(int(w.shape[0]), int(w.shape[1]), initialW=w, ignore_label=ignore_label)

    def forward(self, x: Variable | Array) -> Variable:
        """The rows of ``W`` for the ids ``x``: shape ``x.shape + (out_size,)``."""
        return embed_id(x, self.W, ignore_label=self.ignore_label)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        W = self.W
        yield "in_size", W.shape[0]
        yield "out_size", W.shape[1]
        yield "ignore_label", self.ignore_label

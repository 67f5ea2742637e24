"""``BlackOut``: the BlackOut loss (Ji et al., 2016; ``F.black_out``) with its
item vectors and sampler.

``W`` (``(len(counts), in_size)``) holds one vector per item.  As in Chainer it has
no initializer and starts as NaN: set ``W.array`` (or load a file) before training.
Each call draws ``sample_size`` negatives per row from the items' ``counts`` with
``fchain.utils.WalkerAlias`` (Chainer's distribution, fchain's random source), or
uses ``sample_data`` when it is set (Chainer's hook for tests, kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy

from fchain.facade.link import Link
from fchain.graph.device import Device
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.links._sizes import count
from fchain.ops.loss.black_out import black_out
from fchain.types import Array
from fchain.utils.walker_alias import WalkerAlias

__all__ = ["BlackOut"]


class BlackOut(Link):
    """BlackOut loss with the item vectors ``W``.

    Args:
        in_size: the units of the inputs (and of each item vector).
        counts: how often each item occurs (one entry per item).
        sample_size: negative samples per input row.

    Attributes:
        W: the item vectors (NaN until set).
        sampler: the ``WalkerAlias`` the negatives are drawn from.
        sample_size: as given.
        sample_data: samples ``(N, sample_size)`` to use instead of drawing
            (``None``: draw).
    """

    W: Parameter
    sampler: WalkerAlias
    sample_size: int
    sample_data: Array | None = None

    def __init__(self, in_size: int, counts: Sequence[float] | Array, sample_size: int) -> None:
        super().__init__()
        units = count("BlackOut", "in_size", in_size)
        self.sample_size = count("BlackOut", "sample_size", sample_size)
        p = numpy.array(counts, dtype=numpy.float32)
        self.sampler = WalkerAlias(p)
        with self.init_scope():
            self.W = Parameter(None, (len(p), units))

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        self.sampler.to_device(target)

    def forward(self, x: Variable | Array, t: Variable | Array) -> Variable:
        """The mean BlackOut loss of ``x`` (``(N, in_size)``) for the items ``t``."""
        samples = self.sample_data
        if samples is None:
            samples = self.sampler.sample((int(x.shape[0]), self.sample_size))
        return black_out(x, t, self.W, Variable(samples, requires_grad=False))

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.W.shape[1]
        yield "n_vocab", self.W.shape[0]
        yield "sample_size", self.sample_size

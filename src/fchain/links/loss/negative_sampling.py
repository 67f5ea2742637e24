"""``NegativeSampling``: word2vec's negative sampling loss (``F.negative_sampling``)
with its item vectors and sampler.

``W`` (``(len(counts), in_size)``, zeros as in Chainer) holds one vector per item;
the negatives are drawn from the items' ``counts`` raised to ``power`` (the unigram
distribution to the 3/4 by default), with ``fchain.utils.WalkerAlias``: the same
distribution as Chainer's sampler, not the same draws (fchain's random source).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, overload

import numpy

from fchain.facade.link import Link
from fchain.graph.config import get_dtype
from fchain.graph.device import Device
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.links._sizes import count
from fchain.ops.loss.negative_sampling import negative_sampling
from fchain.types import Array, DTypeLike
from fchain.utils.walker_alias import WalkerAlias

__all__ = ["NegativeSampling"]


class NegativeSampling(Link):
    """Negative sampling loss with the item vectors ``W``.

    Args:
        in_size: the units of the inputs (and of each item vector).
        counts: how often each item occurs (one entry per item).
        sample_size: negative samples per input row.
        power: the counts are raised to this power before sampling.
        dtype: the dtype of the sampling weights (default ``fchain.config.dtype``;
            ``W`` always has ``fchain.config.dtype``, as in Chainer).

    Attributes:
        W: the item vectors.
        sampler: the ``WalkerAlias`` the negatives are drawn from (moved with the link).
        sample_size: as given.
    """

    W: Parameter
    sampler: WalkerAlias
    sample_size: int

    def __init__(self, in_size: int, counts: Sequence[float] | Array, sample_size: int, power: float = 0.75,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        units = count("NegativeSampling", "in_size", in_size)
        if int(sample_size) != sample_size or sample_size < 0:
            raise ValueError(f"NegativeSampling: sample_size must be a non-negative int, got {sample_size!r}")
        self.sample_size = int(sample_size)
        kind = get_dtype(dtype)
        p = numpy.array(counts, dtype=kind)
        numpy.power(p, kind.type(power), out=p)  # in the sampling dtype, as Chainer rounds it
        self.sampler = WalkerAlias(p)
        with self.init_scope():
            self.W = Parameter(0, (len(p), units))

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        self.sampler.to_device(target)

    @overload
    def forward(self, x: Variable | Array, t: Variable | Array, reduce: Literal["sum", "no"] = "sum", *,
                return_samples: Literal[False] = False) -> Variable: ...

    @overload
    def forward(self, x: Variable | Array, t: Variable | Array, reduce: Literal["sum", "no"] = "sum", *,
                return_samples: Literal[True]) -> tuple[Variable, Array]: ...

    def forward(self, x: Variable | Array, t: Variable | Array, reduce: Literal["sum", "no"] = "sum", *,
                return_samples: bool = False) -> Variable | tuple[Variable, Array]:
        """The loss of ``x`` (``(N, in_size)``) for the items ``t`` (``(N,)``, -1 to
        ignore a row): summed, or per row with ``reduce='no'``; with
        ``return_samples=True`` also the ``(N, sample_size + 1)`` samples (the
        items in the first column)."""
        if return_samples:
            return negative_sampling(x, t, self.W, self.sampler.sample, self.sample_size, reduce=reduce,
                                     return_samples=True)
        return negative_sampling(x, t, self.W, self.sampler.sample, self.sample_size, reduce=reduce)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.W.shape[1]
        yield "n_vocab", self.W.shape[0]
        yield "sample_size", self.sample_size

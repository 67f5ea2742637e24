"""``CRF1d``: a linear-chain conditional random field over label sequences, with
the transition costs ``cost`` (``(n_label, n_label)``, zeros by default) as its
parameter (``F.crf1d`` and ``F.argmax_crf1d``).

The sequences come as those functions take them (time-major: one ``(B_t,
n_label)`` array per step, longest sequences first), or, with ``transpose=True``,
as one array per sequence in any order, which the link sorts by decreasing
length and transposes.  In that form, as in Chainer, the per-sequence losses
(``reduce='no'``) and the Viterbi scores come back in the *sorted* order, while
the paths of ``argmax`` are put back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from fchain.facade.link import Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count
from fchain.links.rnn.n_step_rnn import argsort_list_descent, permutate_list
from fchain.ops.array.transpose_sequence import transpose_sequence
from fchain.ops.loss.argmax_crf1d import argmax_crf1d
from fchain.ops.loss.crf1d import crf1d
from fchain.types import Array

__all__ = ["CRF1d"]

Sequences = Sequence[Variable | Array]


class CRF1d(Link):
    """A linear-chain CRF with the transition costs ``cost``.

    Args:
        n_label: the number of labels.
        initial_cost: initializer, array or scalar for ``cost`` (default 0).
    """

    cost: Parameter

    def __init__(self, n_label: int, initial_cost: InitializerLike = None) -> None:
        super().__init__()
        n = count("CRF1d", "n_label", n_label)
        with self.init_scope():
            self.cost = Parameter(as_initializer(initial_cost, Zero, "CRF1d(initial_cost=...)"), (n, n))

    def forward(self, xs: Sequences, ys: Sequences, reduce: Literal["mean", "no"] = "mean",
                transpose: bool = False) -> Variable:
        """The negative log-likelihood of the labels ``ys`` given the label costs
        ``xs`` (see the module docstring for the two layouts)."""
        if transpose:
            indices = argsort_list_descent(xs)
            xs = transpose_sequence(permutate_list(xs, indices, inv=False))
            ys = transpose_sequence(permutate_list(ys, indices, inv=False))
        return crf1d(self.cost, xs, ys, reduce)

    def argmax(self, xs: Sequences, transpose: bool = False) -> tuple[Variable, list[Array]]:
        """The best labelling and its score: ``(score, path)`` (see the module
        docstring for the two layouts)."""
        if not transpose:
            return argmax_crf1d(self.cost, xs)
        indices = argsort_list_descent(xs)
        score, path = argmax_crf1d(self.cost, transpose_sequence(permutate_list(xs, indices, inv=False)))
        per_sequence = [p.array for p in transpose_sequence(path)]
        return score, permutate_list(per_sequence, indices, inv=True)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "n_label", self.cost.shape[0]

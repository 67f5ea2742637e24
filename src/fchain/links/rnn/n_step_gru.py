"""Stacked (bidirectional) GRUs over batches of variable-length sequences:
``NStepGRU`` and ``NStepBiGRU`` around ``F.n_step_gru``/``F.n_step_bigru``.

Six weights and biases per layer and direction (``w0..w5``, ``b0..b5``, Chainer's
names and shapes, see ``n_step_rnn``): ``w0..w2`` take the layer's input and
``w3..w5`` the previous state (``F.n_step_gru``'s docstring says which gate each
feeds).  ``link(hx, xs)`` returns ``(hy, ys)``; ``hx`` may be ``None`` (zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.links.rnn.n_step_rnn import NStepRNNBase, Sequences
from fchain.ops.rnn.n_step_gru import n_step_bigru, n_step_gru
from fchain.types import Array

__all__ = ["NStepBiGRU", "NStepGRU", "NStepGRUBase"]


class NStepGRUBase(NStepRNNBase):
    """What ``NStepGRU`` and ``NStepBiGRU`` share: six weights per layer and
    direction.  Arguments as ``NStepRNNBase``'s."""

    n_weights: ClassVar[int] = 6

    def rnn(self, n_layers: int, dropout_ratio: float, hx: Variable | Array, ws: Sequence[Sequence[Parameter]],
            bs: Sequence[Sequence[Parameter]], xs: Sequences) -> tuple[Variable, tuple[Variable, ...]]:
        """``F.n_step_gru`` (``F.n_step_bigru`` for the bidirectional link)."""
        run = n_step_bigru if self.use_bi_direction else n_step_gru
        return run(n_layers, dropout_ratio, hx, ws, bs, xs)


class NStepGRU(NStepGRUBase):
    """Stacked GRU.  Arguments as ``NStepRNNBase``'s; ``link(hx, xs) -> (hy, ys)``."""


class NStepBiGRU(NStepGRUBase):
    """Stacked bidirectional GRU: ``ys[i]`` joins both directions (``2 *
    out_size`` units); ``hx`` holds ``2 * n_layers`` states."""

    use_bi_direction = True

"""Stacked (bidirectional) LSTMs over batches of variable-length sequences:
``NStepLSTM`` and ``NStepBiLSTM`` around ``F.n_step_lstm``/``F.n_step_bilstm``.

Eight weights and biases per layer and direction (``w0..w7``, ``b0..b7``, Chainer's
names and shapes, see ``n_step_rnn``): ``w0..w3`` take the layer's input and
``w4..w7`` the previous state, for the input gate, the forget gate, the cell input
and the output gate in that order (``F.n_step_lstm``'s docstring).
``link(hx, cx, xs)`` returns ``(hy, cy, ys)``; ``hx`` and ``cx`` may be ``None``
(zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.links.rnn.n_step_rnn import NStepRNNBase, Sequences
from fchain.ops.rnn.n_step_lstm import n_step_bilstm, n_step_lstm
from fchain.types import Array

__all__ = ["NStepBiLSTM", "NStepLSTM", "NStepLSTMBase"]


class NStepLSTMBase(NStepRNNBase):
    """What ``NStepLSTM`` and ``NStepBiLSTM`` share: eight weights per layer and
    direction, two states.  Arguments as ``NStepRNNBase``'s."""

    n_weights: ClassVar[int] = 8

    @property
    def n_cells(self) -> int:
        """Two states: ``h`` and ``c``."""
        return 2

    def rnn(self, n_layers: int, dropout_ratio: float, hx: Variable | Array,  # type: ignore[override]  # Chainer's LSTM links take the cell state too
            cx: Variable | Array, ws: Sequence[Sequence[Parameter]], bs: Sequence[Sequence[Parameter]],
            xs: Sequences) -> tuple[Variable, Variable, tuple[Variable, ...]]:
        """``F.n_step_lstm`` (``F.n_step_bilstm`` for the bidirectional link)."""
        run = n_step_bilstm if self.use_bi_direction else n_step_lstm
        return run(n_layers, dropout_ratio, hx, cx, ws, bs, xs)

    def _rnn(self, hxs: list[Variable], xs: tuple[Variable, ...]) -> tuple[list[Variable], tuple[Variable, ...]]:
        hy, cy, ys = self.rnn(self.n_layers, self.dropout, hxs[0], hxs[1], self.ws, self.bs, xs)
        return [hy, cy], ys

    def forward(self, hx: Variable | Array | None, cx: Variable | Array | None,  # type: ignore[override]  # Chainer's LSTM links take the cell state too
                xs: Sequences, **kwargs: object) -> tuple[Variable, Variable, list[Variable]]:
        """``(hy, cy, ys)`` for the sequences ``xs`` from the states ``hx`` and
        ``cx`` (``None``: zeros), all in ``xs``'s order."""
        (hy, cy), ys = self._call([hx, cx], xs, **kwargs)
        return hy, cy, ys


class NStepLSTM(NStepLSTMBase):
    """Stacked LSTM.  Arguments as ``NStepRNNBase``'s; ``link(hx, cx, xs) -> (hy,
    cy, ys)``, ``ys[i]`` of shape ``(len(xs[i]), out_size)``."""


class NStepBiLSTM(NStepLSTMBase):
    """Stacked bidirectional LSTM: ``ys[i]`` joins both directions (``2 *
    out_size`` units); ``hx``/``cx`` hold ``2 * n_layers`` states."""

    use_bi_direction = True

"""``StatefulPeepholeLSTM``: an LSTM whose gates also see the cell state
(peephole connections, Gers and Schmidhuber, 2000).

Children with Chainer's names: ``upward`` (``Linear(in_size, 4 * out_size)``),
``lateral`` (``Linear(out_size, 4 * out_size, nobias=True)``) and ``peep_i``,
``peep_f``, ``peep_o`` (``Linear(out_size, out_size, nobias=True)``), built in that
order with ``Linear``'s defaults.  The gate pre-activations are interleaved per
unit as ``F.lstm`` lays them out (``a, i, f, o``).  One step::

    a, i, f, o = upward(x) + lateral(h)       (lateral only once h exists)
    c_new = tanh(a) * sigmoid(i + peep_i(c)) + sigmoid(f + peep_f(c)) * c
    h_new = sigmoid(o + peep_o(c_new)) * tanh(c_new)

with ``c`` zeros of the first batch's size and dtype at the start.
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.facade.link import Chain
from fchain.graph.device import Device
from fchain.graph.variable import Variable
from fchain.links._sizes import count, count_or_none
from fchain.links.connection.linear import Linear
from fchain.ops.activation.sigmoid import sigmoid
from fchain.ops.activation.tanh import tanh
from fchain.ops.array.reshape import reshape
from fchain.ops.array.split_axis import split_axis
from fchain.types import Array

__all__ = ["StatefulPeepholeLSTM"]


class StatefulPeepholeLSTM(Chain):
    """A stateful LSTM layer with peephole connections: ``h = link(x)``.

    Args:
        in_size: input units, or ``None`` to take them from the first input.
        out_size: units of the state and the output.

    Attributes:
        c: the cell state, or ``None`` after ``reset_state``.
        h: the last output, or ``None``.
    """

    upward: Linear
    lateral: Linear
    peep_i: Linear
    peep_f: Linear
    peep_o: Linear
    c: Variable | None
    h: Variable | None

    def __init__(self, in_size: int | None, out_size: int) -> None:
        super().__init__()
        n_in = count_or_none("StatefulPeepholeLSTM", "in_size", in_size)
        n = count("StatefulPeepholeLSTM", "out_size", out_size)
        self.state_size = n
        self.reset_state()
        with self.init_scope():
            self.upward = Linear(n_in, 4 * n)
            self.lateral = Linear(n, 4 * n, nobias=True)
            self.peep_i = Linear(n, n, nobias=True)
            self.peep_f = Linear(n, n, nobias=True)
            self.peep_o = Linear(n, n, nobias=True)

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        for state in (self.c, self.h):
            if state is not None:
                state.to_device(target)

    def reset_state(self) -> None:
        """Forget the state: the next step starts from zeros."""
        self.c = None
        self.h = None

    def forward(self, x: Variable | Array) -> Variable:
        """One step: the output ``(len(x), out_size)``; updates ``c`` and ``h``."""
        lstm_in = self.upward(x)
        if self.h is not None:
            lstm_in = lstm_in + self.lateral(self.h)
        c = self.c
        if c is None:
            c = Variable(self.xp.zeros((len(x), self.state_size), dtype=x.dtype))
        batch = int(lstm_in.shape[0])
        gates = split_axis(reshape(lstm_in, (batch, self.state_size, 4)), 4, 2)
        a, i, f, o = (reshape(g, (batch, self.state_size)) for g in gates)
        a = tanh(a)
        i = sigmoid(i + self.peep_i(c))
        f = sigmoid(f + self.peep_f(c))
        c = a * i + f * c
        o = sigmoid(o + self.peep_o(c))
        self.c = c
        self.h = o * tanh(c)
        return self.h

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.upward.in_size
        yield "out_size", self.state_size

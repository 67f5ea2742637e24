"""Minimal gated units (Zhou et al., 2016): ``StatelessMGU`` and ``StatefulMGU``.

Two ``Linear`` children with Chainer's names, ``W_f`` and ``W_h``, each from the
state and the input joined (``concat([h, x])``: ``n_units + n_inputs`` columns, the
state's first) to ``n_units``.  One step::

    f = sigmoid(W_f [h, x])
    h_bar = tanh(W_h [f * h, x])
    h_new = f * h_bar + (1 - f) * h

The stateful link starts from a zero state of ``fchain.config.dtype``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.facade.link import Chain
from fchain.graph.config import get_dtype
from fchain.graph.variable import Variable, as_variable
from fchain.links._sizes import count
from fchain.links.connection.linear import Linear
from fchain.links.rnn._hidden_state import HiddenState
from fchain.links.rnn._interpolate import interpolate
from fchain.ops.activation.sigmoid import sigmoid
from fchain.ops.activation.tanh import tanh
from fchain.ops.array.concat import concat
from fchain.types import Array

__all__ = ["MGUBase", "StatefulMGU", "StatelessMGU"]


class MGUBase(Chain):
    """The two ``Linear`` children of an MGU.

    Args:
        n_inputs: input units.
        n_units: units of the state.
    """

    W_f: Linear
    W_h: Linear

    def __init__(self, n_inputs: int, n_units: int) -> None:
        super().__init__()
        cls = type(self).__name__
        n_in = count(cls, "in_size", n_inputs)
        n = count(cls, "out_size", n_units)
        with self.init_scope():
            self.W_f = Linear(n_in + n, n)
            self.W_h = Linear(n_in + n, n)

    def _call_mgu(self, h: Variable, x: Variable | Array) -> Variable:
        f = sigmoid(self.W_f(concat([h, x])))
        h_bar = tanh(self.W_h(concat([f * h, x])))
        return interpolate(f, h_bar, h)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        n = self.W_f.out_size
        in_size = self.W_f.in_size
        yield "in_size", None if in_size is None else in_size - n
        yield "out_size", n


class StatelessMGU(MGUBase):
    """An MGU that keeps no state: ``h_new = link(h, x)``."""

    def forward(self, h: Variable | Array, x: Variable | Array) -> Variable:
        """One step from the state ``h`` and the input ``x``."""
        return self._call_mgu(as_variable(h), x)


class StatefulMGU(HiddenState, MGUBase):
    """An MGU that keeps its state ``h``: ``h = link(x)``.

    Args:
        in_size: input units.
        out_size: units of the state.
    """

    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__(in_size, out_size)
        self._state_size = self.W_f.out_size
        self.reset_state()

    def forward(self, x: Variable | Array) -> Variable:
        """One step: the new state, which is also the output."""
        h = self.h
        if h is None:
            h = Variable(self.xp.zeros((int(x.shape[0]), self._state_size), dtype=get_dtype()))
        self.h = self._call_mgu(h, x)
        return self.h

"""Gated recurrent units: ``StatelessGRU``, ``StatefulGRU`` and ``GRU`` (Chainer 7's
``GRU`` is the stateful one: ``h = link(x)``).

Six ``Linear`` children with Chainer's names, so its files load: ``W_r``, ``W_z``,
``W`` on the input (``in_size -> out_size``) and ``U_r``, ``U_z``, ``U`` on the
state (``out_size -> out_size``), built in the order ``W_r, U_r, W_z, U_z, W, U``
(Chainer's, so ``numpy.random.seed`` draws its weights).  One step::

    r = sigmoid(W_r x + U_r h)
    z = sigmoid(W_z x + U_z h)
    h_bar = tanh(W x + U (r * h))
    h_new = z * h_bar + (1 - z) * h

(Chainer's convention: ``z`` weighs the *new* candidate.)  The stateful link's first
step, with no state, drops the ``U`` terms and gives ``z * h_bar``.  ``in_size``
may be ``None``: the input children size themselves on the first call.
"""

from __future__ import annotations

from collections.abc import Iterator

from fchain.facade.link import Chain
from fchain.graph.variable import Variable, as_variable
from fchain.initializers._base import InitializerLike
from fchain.links._sizes import count, count_or_none
from fchain.links.connection.linear import Linear
from fchain.links.rnn._hidden_state import HiddenState
from fchain.links.rnn._interpolate import interpolate
from fchain.ops.activation.sigmoid import sigmoid
from fchain.ops.activation.tanh import tanh
from fchain.types import Array

__all__ = ["GRU", "GRUBase", "StatefulGRU", "StatelessGRU"]


class GRUBase(Chain):
    """The six ``Linear`` children of a GRU.

    Args:
        in_size: input units, or ``None`` to take them from the first input.
        out_size: units of the state.
        init: initializer of ``W_r``, ``W_z`` and ``W``'s weights (default
            ``LeCunNormal()``).
        inner_init: initializer of ``U_r``, ``U_z`` and ``U``'s weights (default
            ``LeCunNormal()``).
        bias_init: initializer of every bias (default 0).
    """

    W_r: Linear
    U_r: Linear
    W_z: Linear
    U_z: Linear
    W: Linear
    U: Linear

    def __init__(self, in_size: int | None, out_size: int, init: InitializerLike = None,
                 inner_init: InitializerLike = None, bias_init: InitializerLike = None) -> None:
        super().__init__()
        cls = type(self).__name__
        n_in = count_or_none(cls, "in_size", in_size)
        n = count(cls, "out_size", out_size)
        with self.init_scope():
            self.W_r = Linear(n_in, n, initialW=init, initial_bias=bias_init)
            self.U_r = Linear(n, n, initialW=inner_init, initial_bias=bias_init)
            self.W_z = Linear(n_in, n, initialW=init, initial_bias=bias_init)
            self.U_z = Linear(n, n, initialW=inner_init, initial_bias=bias_init)
            self.W = Linear(n_in, n, initialW=init, initial_bias=bias_init)
            self.U = Linear(n, n, initialW=inner_init, initial_bias=bias_init)

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.W.in_size
        yield "out_size", self.W.out_size


class StatelessGRU(GRUBase):
    """A GRU that keeps no state: ``h_new = link(h, x)``.  Arguments as
    ``GRUBase``'s (``bias_init`` default 0)."""

    def forward(self, h: Variable | Array, x: Variable | Array) -> Variable:
        """One step from the state ``h`` and the input ``x``."""
        hv = as_variable(h)
        r = sigmoid(self.W_r(x) + self.U_r(hv))
        z = sigmoid(self.W_z(x) + self.U_z(hv))
        h_bar = tanh(self.W(x) + self.U(r * hv))
        return interpolate(z, h_bar, hv)


class StatefulGRU(HiddenState, GRUBase):
    """A GRU that keeps its state ``h``: ``h = link(x)``.

    Arguments as ``GRUBase``'s; ``bias_init`` defaults to 0 here too (Chainer spells
    the default out).  ``reset_state()`` forgets the state, ``set_state(h)`` sets it.
    """

    state_size: int

    def __init__(self, in_size: int | None, out_size: int, init: InitializerLike = None,
                 inner_init: InitializerLike = None, bias_init: InitializerLike = 0) -> None:
        super().__init__(in_size, out_size, init, inner_init, bias_init)
        self.state_size = self.W.out_size
        self.reset_state()

    def forward(self, x: Variable | Array) -> Variable:
        """One step: the new state, which is also the output."""
        z = self.W_z(x)
        h_bar = self.W(x)
        h = self.h
        if h is not None:
            r = sigmoid(self.W_r(x) + self.U_r(h))
            z = z + self.U_z(h)
            h_bar = h_bar + self.U(r * h)
        z = sigmoid(z)
        h_bar = tanh(h_bar)
        self.h = z * h_bar if h is None else interpolate(z, h_bar, h)
        return self.h


class GRU(StatefulGRU):
    """Chainer 7's ``GRU``: the stateful GRU, called with one input.

    Called with two arguments (Chainer 1's stateless ``GRU(h, x)``) it raises a
    ``ValueError`` that points to ``StatelessGRU``, as Chainer does.
    """

    def forward(self, *args: Variable | Array) -> Variable:
        """One step of the stateful GRU on ``args[0]``."""
        if len(args) != 1:
            hint = ("Since Chainer v2 GRU is stateful; use StatelessGRU for a stateless GRU(h, x)."
                    if len(args) == 2 else "")
            raise ValueError(f"GRU.forward takes exactly one input, got {len(args)}. {hint}".rstrip())
        return super().forward(args[0])

"""``LSTM`` (stateful) and ``StatelessLSTM``: fully connected LSTM layers around
``F.lstm``, with Chainer's parameters and initialization.

Both hold ``upward`` (``Linear(in_size, 4 * out_size)``, with the bias) and
``lateral`` (``Linear(out_size, 4 * out_size, nobias=True)``); the step is
``c, h = F.lstm(c, upward(x) + lateral(h))``, the gates interleaved per unit
(``a, i, f, o``, ``F.lstm``'s layout), so Chainer's files (``upward/W``,
``upward/b``, ``lateral/W``) load and compute Chainer's numbers.

Initialization follows Chainer draw for draw (``numpy.random.seed`` gives its
weights): both weights start as zeros, then each of the four row blocks of
``out_size`` rows is filled, ``lateral`` block before ``upward`` block, by
``lateral_init`` and ``upward_init`` (default ``LeCunNormal()``, so each block is
scaled by its own fan-in); the bias entries of the cell input, input and output
gates by ``bias_init`` (default 0) and those of the forget gate by
``forget_bias_init`` (default 1).  The parameters' own initializers stay the zero
fill, as in Chainer, so ``copy('init')`` gives zero weights.  With ``in_size``
left out, all of this happens on the first call, on the link's device.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fchain.errors import ShapeError
from fchain.facade.link import Chain
from fchain.graph.device import Device
from fchain.graph.variable import Variable, as_variable
from fchain.initializers import LeCunNormal
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count, count_or_none
from fchain.links.connection.linear import Linear
from fchain.ops.array.concat import concat
from fchain.ops.array.split_axis import split_axis
from fchain.ops.rnn.lstm import lstm
from fchain.types import Array

__all__ = ["LSTM", "LSTMBase", "StatelessLSTM"]


def _initializer(value: InitializerLike, default: Callable[[], Callable[[Array], None]], cls: str,
                 what: str) -> Callable[[Array], None]:
    return as_initializer(value, default, f"{cls}({what}=...)")


class LSTMBase(Chain):
    """What ``LSTM`` and ``StatelessLSTM`` share: the two ``Linear`` children and
    Chainer's initialization (see the module docstring).

    Args:
        in_size: input units, or ``None`` to take them from the first input.  With
            ``out_size`` omitted this is the output size (``LSTM(5)`` is
            ``LSTM(None, 5)``).
        out_size: the units of the state and the output.
        lateral_init, upward_init: initializers of each row block of
            ``lateral.W`` and ``upward.W`` (default ``LeCunNormal()``).
        bias_init: initializer of the cell input's and the input and output gates'
            biases (default 0).
        forget_bias_init: initializer of the forget gate's bias (default 1).
    """

    upward: Linear
    lateral: Linear
    state_size: int

    def __init__(self, in_size: int | None, out_size: int | None = None, lateral_init: InitializerLike = None,
                 upward_init: InitializerLike = None, bias_init: InitializerLike = None,
                 forget_bias_init: InitializerLike = None) -> None:
        super().__init__()
        cls = type(self).__name__
        if out_size is None:
            in_size, out_size = None, in_size
        n_in = count_or_none(cls, "in_size", in_size)
        self.state_size = count(cls, "out_size", out_size)
        self.lateral_init = lateral_init
        self.upward_init = upward_init
        self.bias_init: InitializerLike = 0 if bias_init is None else bias_init
        self.forget_bias_init: InitializerLike = 1 if forget_bias_init is None else forget_bias_init
        # Resolved now so that a bad argument fails here, not on the first call.
        self._inits = (_initializer(lateral_init, LeCunNormal, cls, "lateral_init"),
                       _initializer(upward_init, LeCunNormal, cls, "upward_init"),
                       _initializer(self.bias_init, LeCunNormal, cls, "bias_init"),
                       _initializer(self.forget_bias_init, LeCunNormal, cls, "forget_bias_init"))
        n = self.state_size
        with self.init_scope():
            self.upward = Linear(n_in, 4 * n, initialW=0)
            self.lateral = Linear(n, 4 * n, initialW=0, nobias=True)
        if n_in is not None:
            self._initialize_params()

    def _initialize_params(self) -> None:
        """Chainer's fill of the weights (block by block, lateral first) and of the
        interleaved biases (``a, i, f, o`` of each unit)."""
        lateral_init, upward_init, bias_init, forget_bias_init = self._inits
        n = self.state_size
        lateral_W, upward_W = self.lateral.W.array, self.upward.W.array
        assert lateral_W is not None and upward_W is not None  # both sized by now
        for start in range(0, 4 * n, n):
            lateral_init(lateral_W[start:start + n, :])
            upward_init(upward_W[start:start + n, :])
        b = self.upward.b
        assert b is not None and b.array is not None  # upward always has a bias
        gates = b.array.reshape(1, n, 4, 1)
        for gate in range(4):
            (forget_bias_init if gate == 2 else bias_init)(gates[:, :, gate])

    def _size_from(self, x: Variable | Array) -> None:
        """Size ``upward`` from the first input (its non-batch axes), then fill."""
        if self.upward.W.array is not None:
            return
        shape = x.shape
        if len(shape) < 2:
            raise ShapeError(f"{type(self).__name__}: x has shape {tuple(shape)}; a batch of inputs "
                             "(at least two axes) is needed to infer in_size")
        in_size = 1
        for k in shape[1:]:
            in_size *= int(k)
        self.upward._initialize_params(in_size)
        self._initialize_params()

    def _zero_state(self, batch: int, x: Variable | Array) -> Variable:
        return Variable(self.xp.zeros((batch, self.state_size), dtype=x.dtype))

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "in_size", self.upward.in_size
        yield "out_size", self.state_size


class StatelessLSTM(LSTMBase):
    """An LSTM layer that keeps no state: ``c, h = link(c, h, x)``.

    Arguments as ``LSTMBase``'s.  ``c`` and ``h`` may be ``None`` (zeros, the start
    of a sequence).
    """

    def forward(self, c: Variable | Array | None, h: Variable | Array | None,
                x: Variable | Array) -> tuple[Variable, Variable]:
        """The new cell state and output ``(c, h)`` after the input ``x``."""
        self._size_from(x)
        lstm_in = self.upward(x)
        if h is not None:
            lstm_in = lstm_in + self.lateral(h)
        if c is None:
            c = self._zero_state(x.shape[0], x)
        return lstm(c, lstm_in)


class LSTM(LSTMBase):
    """A stateful LSTM layer: ``h = link(x)`` updates ``c`` and ``h``.

    Arguments as ``LSTMBase``'s.  The state starts as ``None`` (zeros of the first
    batch's size).  A batch may be smaller than the previous one (sequences sorted
    by decreasing length): only the first ``len(x)`` rows of ``c`` and ``h`` move
    on, the rest are kept; a larger one is an error, as in Chainer.

    Attributes:
        c: the cell state, or ``None`` after ``reset_state``.
        h: the last output (all rows of the state), or ``None``.
    """

    c: Variable | None
    h: Variable | None

    def __init__(self, in_size: int | None, out_size: int | None = None, lateral_init: InitializerLike = None,
                 upward_init: InitializerLike = None, bias_init: InitializerLike = None,
                 forget_bias_init: InitializerLike = None) -> None:
        super().__init__(in_size, out_size, lateral_init, upward_init, bias_init, forget_bias_init)
        self.reset_state()

    def _move_own(self, target: Device) -> None:
        super()._move_own(target)
        for state in (self.c, self.h):
            if state is not None:
                state.to_device(target)

    def set_state(self, c: Variable | Array, h: Variable | Array) -> None:
        """Set the cell state ``c`` and the output ``h`` (moved to the link's device)."""
        self.c = as_variable(c).to_device(self.device)
        self.h = as_variable(h).to_device(self.device)

    def reset_state(self) -> None:
        """Forget the state: the next call starts from zeros."""
        self.c = None
        self.h = None

    def forward(self, x: Variable | Array) -> Variable:
        """One step: the output ``(len(x), out_size)``; updates ``c`` and ``h``."""
        self._size_from(x)
        batch = int(x.shape[0])
        lstm_in = self.upward(x)
        rest: Variable | None = None
        h = self.h
        if h is not None:
            h_rows = int(h.shape[0])
            if batch == 0:
                rest = h
            elif h_rows < batch:
                raise TypeError(f"LSTM: the batch of x ({batch} rows) must not be larger than the "
                                f"previous state h ({h_rows} rows)")
            elif h_rows > batch:
                h_now, rest = split_axis(h, [batch], axis=0)
                lstm_in = lstm_in + self.lateral(h_now)
            else:
                lstm_in = lstm_in + self.lateral(h)
        if self.c is None:
            self.c = self._zero_state(batch, x)
        self.c, y = lstm(self.c, lstm_in)
        if rest is None:
            self.h = y
        elif batch == 0:
            self.h = rest
        else:
            self.h = concat([y, rest], axis=0)
        return y

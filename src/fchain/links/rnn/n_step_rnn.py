"""Stacked (bidirectional) Elman RNNs over batches of variable-length sequences,
and what every n-step link shares: ``NStepRNNBase``, ``NStepRNNTanh``,
``NStepRNNReLU``, ``NStepBiRNNTanh``, ``NStepBiRNNReLU``.

An n-step link is a ``ChainList`` of one plain ``Link`` per layer and direction
(``2 * layer + direction`` for the bidirectional ones), each holding
``n_weights`` weights ``w0, w1, ...`` and as many biases ``b0, b1, ...``: Chainer's
names, so its files (``0/w0``, ``0/b0``, ``1/w0``, ...) load.  The first half of
each layer's weights take the layer's input (``in_size`` columns in the first
layer, ``directions * out_size`` above it), the second half the previous state
(``out_size`` columns); every weight has ``out_size`` rows.  The weights are drawn
in that order (layer, direction, ``w0, w1, ...``) from ``initialW`` (default
``LeCunNormal()``), the biases filled from ``initial_bias`` (default 0).

``link(hx, xs)`` takes the sequences ``xs`` (a list of ``(length_i, in_size)``
arrays, in any order) and the stacked initial states ``hx`` (``(n_layers *
directions, len(xs), out_size)``, or ``None`` for zeros), sorts the sequences by
decreasing length, runs the n-step function on the time steps and puts the
results back in the caller's order: ``(hy, ys)``, ``ys[i]`` of shape
``(length_i, directions * out_size)``.  Dropout (``dropout``, training only) is
the function's: on each layer's input but the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar, Literal, TypeVar

import numpy

from fchain.facade.link import ChainList, Link
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable
from fchain.initializers import LeCunNormal, Zero
from fchain.initializers._base import InitializerLike
from fchain.initializers._resolve import as_initializer
from fchain.links._sizes import count
from fchain.ops._common import real_arg
from fchain.ops.array.permutate import permutate
from fchain.ops.array.transpose_sequence import transpose_sequence
from fchain.ops.rnn.n_step_rnn import n_step_birnn, n_step_rnn
from fchain.types import Array

__all__ = [
    "NStepBiRNNReLU",
    "NStepBiRNNTanh",
    "NStepRNNBase",
    "NStepRNNReLU",
    "NStepRNNTanh",
    "argsort_list_descent",
    "permutate_list",
]

Sequences = Sequence[Variable | Array]
"""A batch of sequences (or of time steps): Variables or arrays."""

_T = TypeVar("_T")

_REMOVED = {"use_cudnn": "use_cudnn argument is not supported anymore. Use fchain.using_config",
            "use_bi_direction": "use_bi_direction is not supported anymore",
            "activation": "activation is not supported anymore"}


def argsort_list_descent(lst: Sequences) -> Array:
    """The int32 order that sorts ``lst`` by decreasing length (numpy's ``argsort``
    of the negated lengths, the order Chainer's links use)."""
    lengths = numpy.array([-len(x) for x in lst], dtype=numpy.int64)
    order: Array = numpy.argsort(lengths).astype(numpy.int32)
    return order


def permutate_list(lst: Sequence[_T], indices: Array, inv: bool) -> list[_T]:
    """``lst`` reordered: ``out[i] = lst[indices[i]]``, or with ``inv``
    ``out[indices[i]] = lst[i]``."""
    order = [int(i) for i in indices.tolist()]
    if not inv:
        return [lst[i] for i in order]
    out = list(lst)
    for i, index in enumerate(order):
        out[index] = lst[i]
    return out


def _check_forward_kwargs(cls: str, kwargs: dict[str, object]) -> None:
    if "train" in kwargs:
        raise ValueError(f"{cls}: the train argument is not supported anymore. Use fchain.using_config")
    if kwargs:
        raise TypeError(f"{cls}.forward() got unexpected keyword argument(s) {', '.join(sorted(kwargs))}")


class NStepRNNBase(ChainList[Link]):
    """What every n-step link shares (see the module docstring).

    Args:
        n_layers: the number of layers.
        in_size: the input units of the first layer.
        out_size: the units of each layer's state (per direction).
        dropout: the dropout ratio of the layers' inputs (all but the first).
        initialW: initializer of every weight (default ``LeCunNormal()``).
        initial_bias: initializer of every bias (default 0).

    Attributes:
        n_layers, dropout, out_size: as given.
        direction: 2 for a bidirectional link, else 1.
        ws, bs: per layer and direction, the list of its weights / biases (the
            arguments of the n-step function).
    """

    n_weights: ClassVar[int] = 2
    use_bi_direction: ClassVar[bool] = False

    def __init__(self, n_layers: int, in_size: int, out_size: int, dropout: float, *,
                 initialW: InitializerLike = None, initial_bias: InitializerLike = None,
                 **kwargs: object) -> None:
        cls = type(self).__name__
        for key, message in _REMOVED.items():
            if key in kwargs:
                raise ValueError(f"{cls}: {message}")
        if kwargs:
            raise TypeError(f"{cls}() got unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
        layers = count(cls, "n_layers", n_layers)
        n_in = count(cls, "in_size", in_size)
        n = count(cls, "out_size", out_size)
        direction = 2 if self.use_bi_direction else 1
        W_init = as_initializer(initialW, LeCunNormal, f"{cls}(initialW=...)")
        b_init = as_initializer(initial_bias, Zero, f"{cls}(initial_bias=...)")
        half = self.n_weights // 2
        weights = []
        for layer in range(layers):
            for _ in range(direction):
                weight = Link()
                with weight.init_scope():
                    for j in range(self.n_weights):
                        columns = n if j >= half else n_in if layer == 0 else n * direction
                        setattr(weight, f"w{j}", Parameter(W_init, (n, columns)))
                        setattr(weight, f"b{j}", Parameter(b_init, n))
                weights.append(weight)
        super().__init__(*weights)
        self.n_layers = layers
        self.dropout: float = real_arg(cls, "dropout", dropout)
        self.out_size = n
        self.direction = direction

    @property
    def ws(self) -> list[list[Parameter]]:
        """The weights of each layer and direction, ``[[w0, w1, ...], ...]``."""
        return [[getattr(layer, f"w{j}") for j in range(self.n_weights)] for layer in self]

    @property
    def bs(self) -> list[list[Parameter]]:
        """The biases of each layer and direction, ``[[b0, b1, ...], ...]``."""
        return [[getattr(layer, f"b{j}") for j in range(self.n_weights)] for layer in self]

    @property
    def n_cells(self) -> int:
        """The number of state arrays (1; 2 for the LSTMs: ``h`` and ``c``)."""
        return 1

    def init_hx(self, xs: Sequences) -> Variable:
        """Zero states ``(n_layers * direction, len(xs), out_size)`` in the dtype of
        ``xs[0]``, on the link's device."""
        shape = (self.n_layers * self.direction, len(xs), self.out_size)
        return Variable(self.xp.zeros(shape, dtype=xs[0].dtype))

    def rnn(self, n_layers: int, dropout_ratio: float, hx: Variable | Array, ws: Sequence[Sequence[Parameter]],
            bs: Sequence[Sequence[Parameter]], xs: Sequences) -> tuple[Variable, tuple[Variable, ...]]:
        """The n-step function this link runs, with its arguments."""
        raise NotImplementedError(f"{type(self).__name__} does not define rnn")

    def _rnn(self, hxs: list[Variable], xs: tuple[Variable, ...]) -> tuple[list[Variable], tuple[Variable, ...]]:
        hy, ys = self.rnn(self.n_layers, self.dropout, hxs[0], self.ws, self.bs, xs)
        return [hy], ys

    def forward(self, hx: Variable | Array | None, xs: Sequences, **kwargs: object
                ) -> tuple[Variable, list[Variable]]:
        """``(hy, ys)`` for the sequences ``xs`` from the states ``hx`` (``None``:
        zeros); see the module docstring."""
        (hy,), ys = self._call([hx], xs, **kwargs)
        return hy, ys

    def _call(self, hs: Sequence[Variable | Array | None], xs: Sequences, **kwargs: object
              ) -> tuple[list[Variable], list[Variable]]:
        """The final states (one per cell) and the outputs, both in ``xs``'s order."""
        _check_forward_kwargs(type(self).__name__, kwargs)
        if not isinstance(xs, (list, tuple)):
            raise TypeError(f"{type(self).__name__}: xs must be a list or tuple of sequences, "
                            f"got {type(xs).__name__}")
        indices = argsort_list_descent(xs)
        sorted_xs = permutate_list(xs, indices, inv=False)
        hxs = [self.init_hx(sorted_xs) if hx is None else permutate(hx, indices, axis=1) for hx in hs]
        hys, trans_y = self._rnn(hxs, transpose_sequence(sorted_xs))
        ys = permutate_list(transpose_sequence(trans_y), indices, inv=True)
        return [permutate(h, indices, axis=1, inv=True) for h in hys], ys

    def printable_specs(self) -> Iterator[tuple[str, object]]:
        yield "n_layers", self.n_layers
        yield "out_size", self.out_size
        yield "dropout", self.dropout


class _NStepElman(NStepRNNBase):
    """The Elman RNNs: two weights per layer and direction, one activation."""

    activation: ClassVar[Literal["tanh", "relu"]] = "tanh"

    def rnn(self, n_layers: int, dropout_ratio: float, hx: Variable | Array, ws: Sequence[Sequence[Parameter]],
            bs: Sequence[Sequence[Parameter]], xs: Sequences) -> tuple[Variable, tuple[Variable, ...]]:
        run = n_step_birnn if self.use_bi_direction else n_step_rnn
        return run(n_layers, dropout_ratio, hx, ws, bs, xs, activation=self.activation)


class NStepRNNTanh(_NStepElman):
    """Stacked Elman RNN with ``tanh``: ``h_t = tanh(w0 x_t + b0 + w1 h_{t-1} + b1)``
    per layer.  Arguments as ``NStepRNNBase``'s; ``link(hx, xs) -> (hy, ys)``."""

    activation: ClassVar[Literal["tanh", "relu"]] = "tanh"


class NStepRNNReLU(_NStepElman):
    """Stacked Elman RNN with ``relu``.  Arguments as ``NStepRNNBase``'s."""

    activation: ClassVar[Literal["tanh", "relu"]] = "relu"


class NStepBiRNNTanh(_NStepElman):
    """Stacked bidirectional Elman RNN with ``tanh``: ``ys[i]`` joins both
    directions (``2 * out_size`` units).  Arguments as ``NStepRNNBase``'s."""

    activation: ClassVar[Literal["tanh", "relu"]] = "tanh"
    use_bi_direction = True


class NStepBiRNNReLU(_NStepElman):
    """Stacked bidirectional Elman RNN with ``relu``.  Arguments as
    ``NStepRNNBase``'s."""

    activation: ClassVar[Literal["tanh", "relu"]] = "relu"
    use_bi_direction = True

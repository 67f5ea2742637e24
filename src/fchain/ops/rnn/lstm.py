"""lstm(c_prev, x) -> (c, h): one step of an LSTM unit with forget gate, Chainer's layout.

``x`` holds the pre-activations of the four gates for ``units = c_prev.shape[1]``
units, *interleaved* as Chainer lays them out: ``x[:, 4*j + k]`` is gate ``k`` of
unit ``j``, in the order ``a`` (cell input), ``i`` (input gate), ``f`` (forget
gate), ``o`` (output gate).  Then

    c = tanh(a) * sigmoid(i) + sigmoid(f) * c_prev
    h = sigmoid(o) * tanh(c)

Variable-length batches: ``x`` may have fewer rows than ``c_prev`` (sequences
sorted by decreasing length); the rows of ``c_prev`` past ``len(x)`` are copied to
``c`` unchanged and ``h`` has ``len(x)`` rows.

VJP (Chainer's formulas, in its order of rounding), with ``co = tanh(c)``:
``gc' = gh * o * (1 - co^2) + gc``; ``ga = gc' * i * (1 - a^2)``,
``gi = gc' * a * i(1 - i)``, ``gf = gc' * c_prev * f(1 - f)``,
``go = gh * co * o(1 - o)``; ``gc_prev = gc' * f`` (and ``gc`` itself for the rows
past ``len(x)``).  Residuals: ``c_prev``, ``x``, the output ``c`` and, for the
first-order rule, ``tanh(a)``, the three sigmoid gates as one gate-major block
``(3, B, units, ...)`` and ``tanh(c)`` (saving the backward five ``tanh``).  The
recorded rule (double backprop) recomputes the activations from ``x`` and runs the
same formulas on the second-order namespace.
"""

from __future__ import annotations

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.rnn._gates import grad_sigmoid, grad_tanh, interleave, interleaved, sigmoid
from fchain.types import Array, ArrayNamespace

__all__ = ["LSTM", "lstm", "lstm_activations", "lstm_cell_grads"]

_NAME = "lstm"


def lstm_activations(xp: ArrayNamespace, x: Array) -> list[Array]:
    """``[tanh(a), sigmoid(i), sigmoid(f), sigmoid(o)]`` of Chainer's interleaved ``x``."""
    a, i, f, o = interleaved(xp, x, 4)
    return [xp.tanh(a), sigmoid(xp, i), sigmoid(xp, f), sigmoid(xp, o)]


def lstm_cell_grads(acts: list[Array], c_prev: Array, co: Array, gc: Array, gh: Array
                    ) -> tuple[Array, list[Array]]:
    """``(gc_prev, [ga, gi, gf, go])`` of one LSTM step over its active rows, from the
    activations ``acts``, the previous cell ``c_prev``, ``co = tanh(c)`` and the
    gradients of ``c`` and ``h`` (Chainer's formulas and order of rounding)."""
    a, i, f, o = acts
    gcu = gh * o * grad_tanh(co) + gc
    ga = gcu * i * grad_tanh(a)
    gi = gcu * a * grad_sigmoid(i)
    gf = gcu * c_prev * grad_sigmoid(f)
    go = gh * co * grad_sigmoid(o)
    return gcu * f, [ga, gi, gf, go]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    """The gates as Chainer computes them, the three sigmoids on one gate-major
    copy ``(3, B, units, ...)`` of their pre-activations: four array calls on
    contiguous memory instead of twelve on strided views (the same operations,
    so the same bits)."""
    c_prev, x = inputs
    batch = x.shape[0]
    r = xp.reshape(x, (batch, x.shape[1] // 4, 4) + tuple(x.shape[2:]))
    a = xp.tanh(r[:, :, 0])
    s = xp.stack([r[:, :, 1], r[:, :, 2], r[:, :, 3]])
    s *= 0.5
    s = xp.tanh(s)
    s *= 0.5
    s += 0.5
    i, f, o = s[0], s[1], s[2]
    c_new = a * i + f * (c_prev if batch == c_prev.shape[0] else c_prev[:batch])
    co = xp.tanh(c_new)
    h = o * co
    c = c_new if batch == c_prev.shape[0] else xp.concatenate([c_new, c_prev[batch:]], axis=0)
    return (c, h), (c_prev, x, c, co, a, s)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """First order, from the saved activations: ``lstm_cell_grads``' formulas in
    its order of rounding, the three sigmoid derivatives in one call on the
    gate-major block, each gate's gradient written straight into its place in
    ``gx`` (no stacking)."""
    c_prev, x, _, co, a, s = residuals
    gc, gh = grads
    batch = x.shape[0]
    whole = batch == c_prev.shape[0]
    if not whole:
        c_prev, gc_rows = c_prev[:batch], gc[:batch]
    else:
        gc_rows = gc
    i, f, o = s[0], s[1], s[2]
    gcu = gh * o
    gcu *= grad_tanh(co)
    gcu += gc_rows
    ds = 1 - s
    ds *= s  # y (1 - y) for the three sigmoids at once
    gx = xp.empty_like(xp.reshape(x, (batch, x.shape[1] // 4, 4) + tuple(x.shape[2:])))
    part = gcu * i
    part *= grad_tanh(a)
    gx[:, :, 0] = part
    part = gcu * a
    part *= ds[0]
    gx[:, :, 1] = part
    part = gcu * c_prev
    part *= ds[1]
    gx[:, :, 2] = part
    part = gh * co
    part *= ds[2]
    gx[:, :, 3] = part
    gc_prev = gcu * f
    if not whole:
        gc_prev = xp.concatenate([gc_prev, gc[batch:]], axis=0)
    return gc_prev, xp.reshape(gx, tuple(x.shape))


def _grads(xp: ArrayNamespace, c_prev: Array, x: Array, co: Array, acts: list[Array],
           gc: Array, gh: Array) -> Grads:
    batch = x.shape[0]
    whole = batch == c_prev.shape[0]
    gc_prev, gates = lstm_cell_grads(acts, c_prev if whole else c_prev[:batch], co,
                                     gc if whole else gc[:batch], gh)
    if not whole:
        gc_prev = xp.concatenate([gc_prev, gc[batch:]], axis=0)
    return gc_prev, interleave(xp, gates, tuple(x.shape))


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """Second order: the activations recomputed from ``x`` and ``tanh(c)`` from the
    output ``c``, so that both are differentiated."""
    c_prev, x, c = residuals[0], residuals[1], residuals[2]
    batch = x.shape[0]
    co = xp.tanh(c if batch == c.shape[0] else c[:batch])
    return _grads(xp, c_prev, x, co, lstm_activations(xp, x), grads[0], grads[1])


def _check(arrays: Inputs, params: None) -> None:
    c, x = arrays
    if c.ndim < 2 or x.ndim != c.ndim:
        raise ShapeError(f"{_NAME}: c_prev and x must have the same number of dimensions, at least 2; "
                         f"got c_prev of shape {tuple(c.shape)} and x of shape {tuple(x.shape)}")
    if x.shape[1] != 4 * c.shape[1] or x.shape[2:] != c.shape[2:]:
        raise ShapeError(f"{_NAME}: x must have shape (batch, 4 * {c.shape[1]}) + {tuple(c.shape[2:])} "
                         f"for c_prev of shape {tuple(c.shape)} (four gates per unit), got {tuple(x.shape)}")
    if x.shape[0] > c.shape[0]:
        raise ShapeError(f"{_NAME}: x has {x.shape[0]} rows but c_prev only {c.shape[0]}; a batch may only "
                         "shrink (sort the sequences by decreasing length)")
    return None


def _sample(draw: Draw) -> Case:
    batch, units = draw.integer(1, 3), draw.integer(1, 3)
    rest = draw.shape(min_dims=0, max_dims=1, max_side=2)
    rows = draw.integer(1, batch)
    c = draw.floats((batch, units) + rest)
    x = draw.floats((rows, 4 * units) + rest)
    return Case((c, x), lstm)


LSTM: MultiOutputOp[None] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("c_prev", "x"), check=_check, float_inputs=(0, 1),
    broadcasts=False, second_order_vjp=_vjp_recorded))


def lstm(c_prev: VariableLike, x: VariableLike) -> tuple[Variable, Variable]:
    """One LSTM step: ``(c, h)`` from the previous cell state and the gate inputs.

    Args:
        c_prev: The previous cell state ``(B, units, ...)``.
        x: The gates' pre-activations ``(B', 4 * units, ...)``, ``B' <= B``,
            interleaved per unit as Chainer lays them out (``a, i, f, o``).

    Returns ``(c, h)``: the new cell state (c_prev's shape; rows past ``B'`` are
    c_prev's) and the output ``(B', units, ...)``.
    """
    c, h = apply(LSTM, (c_prev, x), None)
    return c, h

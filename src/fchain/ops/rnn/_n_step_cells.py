"""The cells of the stacked recurrences: how Chainer's per-layer weight lists map to
fused gate blocks, and one time step's forward and backward on those blocks.

Every cell's pre-activations are ``x W_x^T + b_x`` (all time steps at once, one
GEMM per layer and direction, done by the engine) plus ``h W_h^T + b_h`` (one GEMM
per step), with the gate weights stacked in blocks of ``units`` rows:

* ``lstm``: blocks ``a, i, f, o`` (Chainer's ``lstm`` order), from the 8 weights
  ``[W_2, W_0, W_1, W_3]`` (input) and ``[W_6, W_4, W_5, W_7]`` (hidden): ``W_0``
  feeds the input gate, ``W_1`` the forget gate, ``W_2`` the cell input and
  ``W_3`` the output gate, as Chainer's implementation (and cuDNN) use them.
* ``gru``: blocks ``r, z, n`` from ``[W_0, W_1, W_2]`` and ``[W_3, W_4, W_5]``;
  ``n = tanh(x_n + r * h_n)``, ``h' = (1 - z) n + z h``.
* ``rnn_tanh`` / ``rnn_relu``: one block, ``W_0`` and ``W_1``.

The arithmetic is Chainer's, in its order of rounding (``_gates``).  These are
first-order rules on arrays: they write into the engine's buffers with ``out=``
(numpy and CuPy both take it); the recorded rule of the n_step ops is the
composite in ``_n_step_reference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from fchain.types import Array, ArrayNamespace

__all__ = ["CELLS", "Cell", "cell_backward", "cell_forward"]


@dataclass(frozen=True, slots=True)
class Cell:
    """``n_weights`` per layer and direction (Chainer's list length), the number of
    gate blocks, which of the weights form the input and hidden blocks (in block
    order), whether there is a cell state, and how many per-step arrays the
    forward keeps for the backward (``saved``, each ``(rows, width_k * units)``)."""

    name: str
    n_weights: int
    blocks: int
    x_order: tuple[int, ...]
    h_order: tuple[int, ...]
    has_cell: bool
    saved: tuple[int, ...]


CELLS: dict[str, Cell] = {
    # saved: activated gates (4 blocks), tanh(c), c_prev
    "lstm": Cell("lstm", 8, 4, (2, 0, 1, 3), (6, 4, 5, 7), True, (4, 1, 1)),
    # saved: r, z, n (3 blocks), the hidden projection's n block h_n
    "gru": Cell("gru", 6, 3, (0, 1, 2), (3, 4, 5), False, (3, 1)),
    # saved: the output
    "rnn_tanh": Cell("rnn_tanh", 2, 1, (0,), (1,), False, (1,)),
    "rnn_relu": Cell("rnn_relu", 2, 1, (0,), (1,), False, (1,)),
}


def _sigmoid_into(ops: Any, x: Array, out: Array) -> None:
    """``out = tanh(x * 0.5) * 0.5 + 0.5`` (Chainer's sigmoid), written into ``out``."""
    ops.multiply(x, 0.5, out=out)
    ops.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def cell_forward(xp: ArrayNamespace, cell: Cell, pre: Array, rec: Array, h: Array, c: Array | None,
                 saved: list[Array]) -> Array:
    """One step over the active rows: ``pre`` holds ``x W_x^T + b_x`` (it may be
    overwritten), ``rec`` ``h W_h^T + b_h``; ``h`` (and ``c``) are the previous
    states' active rows.  Fills ``saved`` (views into the engine's per-step rows),
    updates ``c`` in place and returns the new ``h``."""
    ops = cast(Any, xp)
    n = h.shape[1]
    if cell.name == "lstm":
        assert c is not None
        acts, co, c_prev = saved
        pre += rec  # Chainer's linear(x) + linear(h)
        ops.tanh(pre[:, :n], out=acts[:, :n])
        _sigmoid_into(ops, pre[:, n:], acts[:, n:])
        a, i, f, o = acts[:, :n], acts[:, n:2 * n], acts[:, 2 * n:3 * n], acts[:, 3 * n:]
        c_prev[...] = c
        new_c = a * i
        new_c += f * c_prev  # a * i + f * c_prev, as Chainer adds them
        c[...] = new_c
        ops.tanh(new_c, out=co)
        out: Array = o * co
        return out
    if cell.name == "gru":
        acts, h_n = saved
        xr = pre[:, :2 * n]
        xr += rec[:, :2 * n]  # r and z: sigmoid(W_x x + U_h h)
        _sigmoid_into(ops, xr, acts[:, :2 * n])
        r, z = acts[:, :n], acts[:, n:2 * n]
        h_n[...] = rec[:, 2 * n:]
        t = r * h_n
        t += pre[:, 2 * n:]  # W_x + r * U_x, as Chainer adds them
        ops.tanh(t, out=acts[:, 2 * n:])
        new_h = (1 - z) * acts[:, 2 * n:]
        new_h += z * h
        return new_h
    (out,) = saved
    pre += rec
    if cell.name == "rnn_tanh":
        ops.tanh(pre, out=out)
    else:
        ops.maximum(pre, 0, out=out)
    return out


def cell_backward(xp: ArrayNamespace, cell: Cell, gh: Array, gc: Array | None, h_prev: Array,
                  saved: list[Array], g_x: Array, g_rec: Array) -> Array | None:
    """One step backward over the active rows: ``gh`` is the gradient of the new
    ``h`` (and ``gc`` of the new ``c``, replaced in place by the gradient of the
    previous ``c``).  Writes the gradients of the input and hidden pre-activations
    into ``g_x`` and ``g_rec`` (the same array except for the GRU) and returns the
    gradient of the previous ``h`` that does not go through ``W_h`` (the GRU's
    ``z * gh``), else None."""
    n = gh.shape[1]
    if cell.name == "lstm":
        assert gc is not None
        acts, co, c_prev = saved
        a, i, f, o = acts[:, :n], acts[:, n:2 * n], acts[:, 2 * n:3 * n], acts[:, 3 * n:]
        # Chainer's products, written into g_x with one scratch array ``t``:
        # gcu = gh * o * (1 - co^2) + gc; ga = gcu * i * (1 - a^2);
        # gi = gcu * a * (i (1 - i)); gf = gcu * c_prev * (f (1 - f));
        # go = gh * co * (o (1 - o)); gc_prev = gcu * f.
        ops = cast(Any, xp)
        t = co * co
        ops.subtract(1, t, out=t)
        gcu = gh * o
        gcu *= t
        gcu += gc
        for block, (u, v, w) in enumerate(((gcu, i, a), (gcu, a, i), (gcu, c_prev, f), (gh, co, o))):
            out = g_x[:, block * n:(block + 1) * n]
            ops.multiply(u, v, out=out)
            if block == 0:
                ops.multiply(w, w, out=t)
                ops.subtract(1, t, out=t)
            else:
                ops.subtract(1, w, out=t)
                t *= w
            out *= t
        ops.multiply(gcu, f, out=gc)
        return None
    if cell.name == "gru":
        acts, h_n = saved
        r, z, hb = acts[:, :n], acts[:, n:2 * n], acts[:, 2 * n:]
        g_n = gh * (1 - z) * (1 - hb * hb)
        g_z = gh * h_prev - gh * hb
        g_x[:, n:2 * n] = g_z * z * (1 - z)
        g_x[:, :n] = g_n * h_n * r * (1 - r)
        g_x[:, 2 * n:] = g_n
        g_rec[:, :2 * n] = g_x[:, :2 * n]
        g_rec[:, 2 * n:] = g_n * r
        direct: Array = gh * z
        return direct
    (y,) = saved
    if cell.name == "rnn_tanh":
        g_x[...] = gh * (1 - y * y)
    else:
        g_x[...] = gh * (y > 0)
    return None

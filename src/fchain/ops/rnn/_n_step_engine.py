"""The fused forward and backward of the stacked recurrences (``n_step_lstm``,
``n_step_gru``, ``n_step_rnn`` and their bidirectional forms): one op per call.

Layout.  The time steps ``xs[t]`` (``B_t`` rows, ``B_0 >= B_1 >= ...``) are joined
once into a time-major array of ``sum(B_t)`` rows; every per-step quantity lives
in such an array, step ``t`` at rows ``[off_t, off_t + B_t)``.  A state is a
``(B, units)`` buffer of which step ``t`` reads and updates rows ``[:B_t]``: the
rows of sequences that have ended keep their last value, which is the final
state Chainer returns for them; the backward direction walks the steps from the
last, so each sequence starts from its own last element with its initial state.

Forward, per layer and direction: the input projection of every step in one GEMM
(``X W_x^T + b_x``), then per step the recurrent GEMM ``h W_h^T + b_h`` (with
``W_h^T`` laid out contiguously once per call: small-batch GEMMs run at twice the
rate on it) and the cell (``_n_step_cells``).  Backward, the same in reverse: per
step the cell's gradient and one GEMM for the previous state's gradient; then per
layer and direction one GEMM each for ``gW_h`` (over all steps), ``gW_x`` and the
input's gradient.  Dropout between layers (Chainer drops each layer's input but
the first, independently per direction) enters as masks the public function drew.

The op's inputs are ``(hx, [cx], *ws, *bs, *xs, *masks)`` (``ws`` and ``bs``
flattened layer by layer and direction by direction) and its outputs
``(hy, [cy], *ys)``.  Its residuals start with the inputs themselves, so the
recorded rule (double backprop, ``_n_step_reference``) can rebuild the
computation from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from fchain.core import small_gemm
from fchain.ops._common import Forwarded, Grads, Inputs
from fchain.ops.rnn._n_step_cells import CELLS, Cell, cell_backward, cell_forward
from fchain.types import Array, ArrayNamespace

__all__ = ["NStepParams", "forward", "vjp"]


@dataclass(frozen=True, slots=True)
class NStepParams:
    """One call's structure: the public function's ``name`` (for messages), the
    cell, ``n_layers``, ``directions`` (1 or 2), the batch size of every step
    (``sizes``), the state size ``units``, the input size ``n_in`` and whether
    dropout masks follow the sequences among the inputs."""

    name: str
    cell_name: str
    n_layers: int
    directions: int
    sizes: tuple[int, ...]
    units: int
    n_in: int
    dropout: bool

    @property
    def cell(self) -> Cell:
        return CELLS[self.cell_name]

    @property
    def n_states(self) -> int:
        return 2 if self.cell.has_cell else 1

    @property
    def n_params(self) -> int:
        """How many weight (and as many bias) arrays: one list per layer and direction."""
        return self.n_layers * self.directions * self.cell.n_weights

    @property
    def n_masks(self) -> int:
        return (self.n_layers - 1) * self.directions if self.dropout else 0

    @property
    def n_inputs(self) -> int:
        return self.n_states + 2 * self.n_params + len(self.sizes) + self.n_masks

    def offsets(self) -> list[int]:
        """Where each step's rows start in the time-major layout (and the total last)."""
        out, total = [0], 0
        for b in self.sizes:
            total += b
            out.append(total)
        return out


def _stack(xp: ArrayNamespace, arrays: list[Array], order: tuple[int, ...], axis: int) -> Array:
    return xp.concatenate([arrays[k] for k in order], axis=axis)


def _gemm(xp: ArrayNamespace, a: Array, b: Array, out: Array | None = None) -> Array:
    """``a @ b``, into ``out`` when given (numpy and CuPy take ``out=``)."""
    if out is None:
        return a @ b
    return cast(Array, cast(Any, xp).matmul(a, b, out=out))


def forward(xp: ArrayNamespace, inputs: Inputs, p: NStepParams) -> Forwarded:
    cell, n, D = p.cell, p.units, p.directions
    hx = inputs[0]
    cx = inputs[1] if cell.has_cell else None
    w0 = p.n_states
    ws, bs = list(inputs[w0:w0 + p.n_params]), list(inputs[w0 + p.n_params:w0 + 2 * p.n_params])
    x0 = w0 + 2 * p.n_params
    xs = inputs[x0:x0 + len(p.sizes)]
    masks = inputs[x0 + len(p.sizes):]
    off = p.offsets()
    total, dtype = off[-1], hx.dtype
    layer_in = xs[0] if len(xs) == 1 else xp.concatenate(xs, axis=0)
    hy, cy, saved_all = [], [], []
    for layer in range(p.n_layers):
        out = xp.zeros((total, D * n), dtype=dtype) if D > 1 else None
        hs: Array | None = None
        for d in range(D):
            k = layer * D + d
            w, b = ws[k * cell.n_weights:(k + 1) * cell.n_weights], bs[k * cell.n_weights:(k + 1) * cell.n_weights]
            inp = layer_in if layer == 0 or not p.dropout else layer_in * masks[(layer - 1) * D + d]
            w_x = _stack(xp, w, cell.x_order, 0)
            w_h = _stack(xp, w, cell.h_order, 0)
            w_ht = w_h.T.copy()  # W_h^T in C order: the per-step GEMM's fast layout
            b_h = _stack(xp, b, cell.h_order, 0)
            pre_all = inp @ w_x.T
            pre_all += _stack(xp, b, cell.x_order, 0)
            h = hx[k].copy()
            c = cx[k].copy() if cx is not None else None
            h_prev_all = xp.zeros((total, n), dtype=dtype)
            saved = [xp.zeros((total, width * n), dtype=dtype) for width in cell.saved]
            if out is None:
                hs = xp.zeros((total, n), dtype=dtype)
            rec_buf = xp.zeros((p.sizes[0], cell.blocks * n), dtype=dtype)
            steps = range(len(p.sizes)) if d == 0 else range(len(p.sizes) - 1, -1, -1)
            for t in steps:
                rows, m = slice(off[t], off[t + 1]), p.sizes[t]
                hp = h_prev_all[rows]
                hp[...] = h[:m]
                rec = _gemm(xp, hp, w_ht, rec_buf[:m])
                rec += b_h
                new_h = cell_forward(xp, cell, pre_all[rows], rec, hp, None if c is None else c[:m],
                                     [s[rows] for s in saved])
                h[:m] = new_h
                if out is None:
                    assert hs is not None
                    hs[rows] = new_h
                else:
                    out[rows, d * n:(d + 1) * n] = new_h
            hy.append(h)
            if c is not None:
                cy.append(c)
            saved_all.append((inp, w_x, w_h, h_prev_all, *saved))
        layer_in = out if out is not None else cast(Array, hs)
    ys = tuple(layer_in[off[t]:off[t + 1]] for t in range(len(p.sizes)))
    states = (xp.stack(hy, axis=0),) + ((xp.stack(cy, axis=0),) if cell.has_cell else ())
    residuals: Inputs = tuple(inputs) + tuple(a for group in saved_all for a in group)
    return states + ys, residuals


def vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: NStepParams) -> Grads:
    cell, n, D = p.cell, p.units, p.directions
    inputs, rest = residuals[:p.n_inputs], residuals[p.n_inputs:]
    per = 4 + len(cell.saved)
    x0 = p.n_states + 2 * p.n_params
    masks = inputs[x0 + len(p.sizes):]
    off = p.offsets()
    total, T = off[-1], len(p.sizes)
    g_hy = grads[0]
    g_cy = grads[1] if cell.has_cell else None
    gys = grads[p.n_states:]
    g_out = gys[0] if T == 1 else xp.concatenate(gys, axis=0)
    g_hx: list[Array] = [g_hy[0]] * (p.n_layers * D)
    g_cx: list[Array] = list(g_hx)
    g_w: list[Array | None] = [None] * p.n_params
    g_b: list[Array | None] = [None] * p.n_params
    g_in: Array | None = None
    for layer in range(p.n_layers - 1, -1, -1):
        g_in = None
        for d in range(D):
            k = layer * D + d
            inp, w_x, w_h, h_prev_all, *saved = rest[k * per:(k + 1) * per]
            gh = g_hy[k].copy()
            gc = g_cy[k].copy() if g_cy is not None else None
            g_x = xp.zeros((total, cell.blocks * n), dtype=gh.dtype)
            g_rec = g_x if cell.name != "gru" else xp.zeros_like(g_x)
            steps = range(T - 1, -1, -1) if d == 0 else range(T)
            for t in steps:
                rows, m = slice(off[t], off[t + 1]), p.sizes[t]
                g_step = gh[:m]  # the state's rows, overwritten below by the previous state's gradient
                g_step += g_out[rows] if D == 1 else g_out[rows, d * n:(d + 1) * n]
                direct = cell_backward(xp, cell, g_step, None if gc is None else gc[:m], h_prev_all[rows],
                                       [s[rows] for s in saved], g_x[rows], g_rec[rows])
                g_prev = small_gemm.matmul(g_rec[rows], w_h)  # few rows: split where that is faster
                if direct is not None:
                    g_prev += direct
                gh[:m] = g_prev
            g_hx[k] = gh
            if gc is not None:
                g_cx[k] = gc
            g_w_x = g_x.T @ inp
            g_w_h = g_rec.T @ h_prev_all
            g_b_x = g_x.sum(axis=0)
            g_b_h = g_rec.sum(axis=0) if g_rec is not g_x else g_b_x.copy()
            base = k * cell.n_weights
            for block, j in enumerate(cell.x_order):
                g_w[base + j] = g_w_x[block * n:(block + 1) * n]
                g_b[base + j] = g_b_x[block * n:(block + 1) * n]
            for block, j in enumerate(cell.h_order):
                g_w[base + j] = g_w_h[block * n:(block + 1) * n]
                g_b[base + j] = g_b_h[block * n:(block + 1) * n]
            g_inp = g_x @ w_x
            if layer > 0 and p.dropout:
                g_inp *= masks[(layer - 1) * D + d]
            if g_in is None:
                g_in = g_inp
            else:
                g_in += g_inp
        g_out = cast(Array, g_in)
    assert g_in is not None
    g_xs = tuple(g_in[off[t]:off[t + 1]] for t in range(T))
    states: tuple[Array, ...] = (xp.stack(g_hx, axis=0),)
    if cell.has_cell:
        states += (xp.stack(g_cx, axis=0),)
    return states + tuple(g_w) + tuple(g_b) + g_xs + (None,) * p.n_masks

"""The stacked recurrences composed of fchain's differentiable functions, step by
step as Chainer 7 composes them on the CPU: the recorded rule of the fused n_step
ops (double backprop differentiates through this graph) and, in the tests, an
independent check of the fused engine.

Per layer and direction, every step splits the state at the step's batch size,
runs the cell on the active rows (``linear`` of the input plus ``linear`` of the
state; ``lstm`` on weights stacked in its interleaved layout; the GRU's
``sigmoid``/``tanh`` on split projections; ``tanh`` or ``relu``) and joins the
rows back; the backward direction walks the steps from the last; a bidirectional
layer's output is the two directions joined per step; layers after the first see
their input through the dropout masks the public function drew.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from fchain.graph.grad import grad
from fchain.graph.variable import Variable
from fchain.ops._common import Grads, Inputs, VariableLike
from fchain.ops.activation.relu import relu
from fchain.ops.activation.sigmoid import sigmoid
from fchain.ops.activation.tanh import tanh
from fchain.ops.array.concat import concat
from fchain.ops.array.reshape import reshape
from fchain.ops.array.separate import separate
from fchain.ops.array.split_axis import split_axis
from fchain.ops.array.stack import stack
from fchain.ops.connection.linear import linear
from fchain.ops.rnn._n_step_engine import NStepParams
from fchain.ops.rnn.lstm import lstm
from fchain.types import Array, ArrayNamespace

__all__ = ["reference", "vjp_recorded"]

_Cell = tuple[Variable, Variable | None]


def _step(p: NStepParams, x: Variable, h: Variable, c: Variable | None, w: Sequence[VariableLike],
          b: Sequence[VariableLike]) -> _Cell:
    """One cell step on the active rows, as Chainer writes it."""
    name = p.cell_name
    if name == "lstm":
        def interleaved(ws: list[VariableLike]) -> Variable:
            s = stack(ws, axis=1)
            return reshape(s, (s.shape[0] * s.shape[1],) + tuple(s.shape[2:]))
        assert c is not None
        pre = (linear(x, interleaved([w[2], w[0], w[1], w[3]]), interleaved([b[2], b[0], b[1], b[3]]))
               + linear(h, interleaved([w[6], w[4], w[5], w[7]]), interleaved([b[6], b[4], b[5], b[7]])))
        c_new, h_new = lstm(c, pre)
        return h_new, c_new
    if name == "gru":
        gx = linear(x, concat([w[0], w[1], w[2]], axis=0), concat([b[0], b[1], b[2]], axis=0))
        gh = linear(h, concat([w[3], w[4], w[5]], axis=0), concat([b[3], b[4], b[5]], axis=0))
        xr, xz, xn = split_axis(gx, 3, axis=1)
        hr, hz, hn = split_axis(gh, 3, axis=1)
        r = sigmoid(xr + hr)
        z = sigmoid(xz + hz)
        h_bar = tanh(xn + r * hn)
        return (1 - z) * h_bar + z * h, None
    pre = linear(x, w[0], b[0]) + linear(h, w[1], b[1])
    return (tanh(pre) if name == "rnn_tanh" else relu(pre)), None


def _direction(p: NStepParams, xs: list[Variable], h: Variable, c: Variable | None, w: Sequence[VariableLike],
               b: Sequence[VariableLike]) -> tuple[Variable, Variable | None, list[Variable]]:
    outs = []
    for x in xs:
        m = x.shape[0]
        h_rest = c_rest = None
        if h.shape[0] > m:
            h, h_rest = split_axis(h, [m], axis=0)
            if c is not None:
                c, c_rest = split_axis(c, [m], axis=0)
        h, c = _step(p, x, h, c, w, b)
        outs.append(h)
        if h_rest is not None:
            h = concat([h, h_rest], axis=0)
        if c is not None and c_rest is not None:
            c = concat([c, c_rest], axis=0)
    return h, c, outs


def reference(p: NStepParams, inputs: Sequence[VariableLike]) -> tuple[Variable, ...]:
    """The op's outputs ``(hy, [cy], *ys)`` from its inputs, composed of fchain ops."""
    cell, D = p.cell, p.directions
    hx = separate(inputs[0])
    cx = separate(inputs[1]) if cell.has_cell else None
    w0 = p.n_states
    ws, bs = inputs[w0:w0 + p.n_params], inputs[w0 + p.n_params:w0 + 2 * p.n_params]
    x0 = w0 + 2 * p.n_params
    T = len(p.sizes)
    xs_next = [x if isinstance(x, Variable) else Variable(x, requires_grad=False) for x in inputs[x0:x0 + T]]
    masks = inputs[x0 + T:]
    off = p.offsets()
    hy: list[Variable] = []
    cy: list[Variable] = []
    for layer in range(p.n_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            xs = xs_next
            if layer > 0 and p.dropout:
                mask = cast(Array, masks[(layer - 1) * D + d])
                xs = [x * mask[off[t]:off[t + 1]] for t, x in enumerate(xs_next)]
            w, b = ws[k * cell.n_weights:(k + 1) * cell.n_weights], bs[k * cell.n_weights:(k + 1) * cell.n_weights]
            steps = xs if d == 0 else xs[::-1]
            h, c, o = _direction(p, steps, hx[k], None if cx is None else cx[k], w, b)
            hy.append(h)
            if c is not None:
                cy.append(c)
            outs.append(o if d == 0 else o[::-1])
        xs_next = outs[0] if D == 1 else [concat([f, g], axis=1) for f, g in zip(outs[0], outs[1])]
    states = (stack(hy),) + ((stack(cy),) if cell.has_cell else ())
    return states + tuple(xs_next)


def vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: NStepParams) -> Grads:
    """Second order: the outputs rebuilt from the inputs (the residuals start with
    them, reconnected to the graph) by ``reference`` and differentiated with a
    recorded backward pass."""
    inputs = residuals[:p.n_inputs]
    wanted = [i for i, v in enumerate(inputs) if isinstance(v, Variable) and v.requires_grad]
    outs = reference(p, inputs)
    found = grad(list(outs), [cast(Variable, inputs[i]) for i in wanted],
                 grad_outputs=list(cast(tuple[Variable, ...], grads)), enable_double_backprop=True)
    result: list[Array | None] = [None] * p.n_inputs
    for i, g in zip(wanted, found):
        result[i] = cast(Array, g)
    return tuple(result)

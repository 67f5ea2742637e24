"""slstm(c_prev1, c_prev2, x1, x2) -> (c, h): the S-LSTM unit, which merges two child
states (a binary tree's node), Chainer's layout.

``x1`` and ``x2`` hold each child's four gate pre-activations interleaved per unit as
in ``lstm`` (``a, i, f, o``).  Then, with ``o = sigmoid(o1 + o2)``,

    c = tanh(a1) sigmoid(i1) + tanh(a2) sigmoid(i2) + sigmoid(f1) c_prev1 + sigmoid(f2) c_prev2
    h = o * tanh(c)

(summed left to right, as Chainer does).  Every input has the same batch size.
VJP: Chainer's formulas, as ``lstm``'s per child, with both output-gate gradients
``gh * tanh(c) * o(1 - o)``.  Residuals: the inputs, ``c`` and, for the first-order
rule, the activations and ``tanh(c)``; the recorded rule recomputes them.
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

__all__ = ["SLSTM", "slstm"]

_NAME = "slstm"


def _activations(xp: ArrayNamespace, x1: Array, x2: Array) -> list[Array]:
    """``[tanh(a1), sig(i1), sig(f1), tanh(a2), sig(i2), sig(f2), sig(o1 + o2)]``."""
    a1, i1, f1, o1 = interleaved(xp, x1, 4)
    a2, i2, f2, o2 = interleaved(xp, x2, 4)
    return [xp.tanh(a1), sigmoid(xp, i1), sigmoid(xp, f1),
            xp.tanh(a2), sigmoid(xp, i2), sigmoid(xp, f2), sigmoid(xp, o1 + o2)]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    c1, c2, x1, x2 = inputs
    acts = _activations(xp, x1, x2)
    a1, i1, f1, a2, i2, f2, o = acts
    c = a1 * i1 + a2 * i2 + f1 * c1 + f2 * c2
    co = xp.tanh(c)
    return (c, o * co), (c1, c2, x1, x2, c, co, *acts)


def _grads(xp: ArrayNamespace, c1: Array, c2: Array, x1: Array, x2: Array, co: Array,
           acts: list[Array], gc: Array, gh: Array) -> Grads:
    a1, i1, f1, a2, i2, f2, o = acts
    gcu = gh * o * grad_tanh(co) + gc
    go = gh * co * grad_sigmoid(o)
    g1 = [gcu * i1 * grad_tanh(a1), gcu * a1 * grad_sigmoid(i1), gcu * c1 * grad_sigmoid(f1), go]
    g2 = [gcu * i2 * grad_tanh(a2), gcu * a2 * grad_sigmoid(i2), gcu * c2 * grad_sigmoid(f2), go]
    return (gcu * f1, gcu * f2, interleave(xp, g1, tuple(x1.shape)), interleave(xp, g2, tuple(x2.shape)))


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    c1, c2, x1, x2, _, co = residuals[:6]
    return _grads(xp, c1, c2, x1, x2, co, list(residuals[6:]), grads[0], grads[1])


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """Second order: activations from the inputs and ``tanh(c)`` from the output ``c``."""
    c1, c2, x1, x2, c = residuals[:5]
    return _grads(xp, c1, c2, x1, x2, xp.tanh(c), _activations(xp, x1, x2), grads[0], grads[1])


def _check(arrays: Inputs, params: None) -> None:
    c1, c2, x1, x2 = arrays
    if c1.ndim < 2 or any(a.ndim != c1.ndim for a in (c2, x1, x2)):
        raise ShapeError(f"{_NAME}: c_prev1, c_prev2, x1 and x2 must have the same number of dimensions, "
                         f"at least 2; got shapes {tuple(c1.shape)}, {tuple(c2.shape)}, {tuple(x1.shape)}, "
                         f"{tuple(x2.shape)}")
    if c2.shape != c1.shape:
        raise ShapeError(f"{_NAME}: c_prev2 must have c_prev1's shape {tuple(c1.shape)}, got {tuple(c2.shape)}")
    want = (c1.shape[0], 4 * c1.shape[1]) + tuple(c1.shape[2:])
    for name, x in (("x1", x1), ("x2", x2)):
        if tuple(x.shape) != want:
            raise ShapeError(f"{_NAME}: {name} must have shape {want} (four gates per unit of c_prev1, "
                             f"shape {tuple(c1.shape)}), got {tuple(x.shape)}")
    return None


def _sample(draw: Draw) -> Case:
    shape = (draw.integer(1, 3), draw.integer(1, 3)) + draw.shape(min_dims=0, max_dims=1, max_side=2)
    wide = (shape[0], 4 * shape[1]) + shape[2:]
    return Case((draw.floats(shape), draw.floats(shape), draw.floats(wide), draw.floats(wide)), slstm)


SLSTM: MultiOutputOp[None] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("c_prev1", "c_prev2", "x1", "x2"), check=_check,
    float_inputs=(0, 1, 2, 3), broadcasts=False, second_order_vjp=_vjp_recorded))


def slstm(c_prev1: VariableLike, c_prev2: VariableLike, x1: VariableLike, x2: VariableLike
          ) -> tuple[Variable, Variable]:
    """The S-LSTM unit: ``(c, h)`` of a node from its two children's cell states and
    gate inputs (``x1``, ``x2``: ``(B, 4 * units, ...)``, interleaved per unit as in
    ``lstm``)."""
    c, h = apply(SLSTM, (c_prev1, c_prev2, x1, x2), None)
    return c, h

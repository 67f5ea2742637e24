"""tree_lstm(*cs, x) -> (c, h): the N-ary TreeLSTM unit (Tai et al., with Bowman et
al.'s per-child forget gates), Chainer's layout.

The last argument ``x`` holds ``3 + N`` gate pre-activations for the ``N`` children
cells ``cs``, in *consecutive blocks* along axis 1 (not interleaved as in ``lstm``):
``a, i, o, f_1, ..., f_N``, each ``units`` wide.  Then

    c = tanh(a) sigmoid(i) + sum_n sigmoid(f_n) c_n
    h = sigmoid(o) tanh(c)

(the sum taken left to right, as Chainer does).  VJP: Chainer's formulas
(``gc' = gh * o * (1 - tanh(c)^2) + gc``, ``gc_n = gc' * f_n``, ...).  Residuals: the
inputs, ``c`` and, for the first-order rule, the activations and ``tanh(c)``; the
recorded rule (double backprop, which Chainer's old-style function lacks)
recomputes them.
"""

from __future__ import annotations

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.rnn._gates import grad_sigmoid, grad_tanh, sigmoid, thick, unthick
from fchain.types import Array, ArrayNamespace

__all__ = ["TREE_LSTM", "tree_lstm"]

_NAME = "tree_lstm"


def _activations(xp: ArrayNamespace, x: Array, n: int) -> list[Array]:
    """``[tanh(a), sig(i), sig(o), sig(f_1), ..., sig(f_n)]``."""
    a, i, o, *fs = thick(xp, x, 3 + n)
    return [xp.tanh(a), sigmoid(xp, i), sigmoid(xp, o)] + [sigmoid(xp, f) for f in fs]


def _forward(xp: ArrayNamespace, inputs: Inputs, params: None) -> Forwarded:
    cs, x = inputs[:-1], inputs[-1]
    acts = _activations(xp, x, len(cs))
    a, i, o, *fs = acts
    total = fs[0] * cs[0]
    for f, c_n in zip(fs[1:], cs[1:]):
        total = total + f * c_n
    c = a * i + total
    co = xp.tanh(c)
    return (c, o * co), (*inputs, c, co, *acts)


def _grads(xp: ArrayNamespace, cs: Inputs, co: Array, acts: list[Array], gc: Array, gh: Array) -> Grads:
    a, i, o, *fs = acts
    gcu = gh * o * grad_tanh(co) + gc
    gates = [gcu * i * grad_tanh(a), gcu * a * grad_sigmoid(i), gh * co * grad_sigmoid(o)]
    gates += [gcu * c_n * grad_sigmoid(f) for f, c_n in zip(fs, cs)]
    return (*[gcu * f for f in fs], unthick(xp, gates))


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    n = (len(residuals) - 5) // 2
    cs, co, acts = residuals[:n], residuals[n + 2], list(residuals[n + 3:])
    return _grads(xp, cs, co, acts, grads[0], grads[1])


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, params: None) -> Grads:
    """Second order: activations from ``x`` and ``tanh(c)`` from the output ``c``."""
    n = (len(residuals) - 5) // 2
    cs, x, c = residuals[:n], residuals[n], residuals[n + 1]
    return _grads(xp, cs, xp.tanh(c), _activations(xp, x, n), grads[0], grads[1])


def _arg(k: int, n: int) -> str:
    return "x" if k == n else f"cell state {k} (argument {k})"


def _check_dtypes(arrays: Inputs) -> None:
    """Every input floating and of the first one's dtype (their number varies, so the
    op declares no ``float_inputs`` and checks here)."""
    n = len(arrays) - 1
    dtype = arrays[0].dtype
    for k, a in enumerate(arrays):
        if a.dtype.kind != "f":
            raise DTypeError(f"{_NAME}: {_arg(k, n)} must be a floating-point array, got dtype {a.dtype}")
        if a.dtype != dtype:
            raise DTypeError(f"{_NAME}: {_arg(k, n)} has dtype {a.dtype} but cell state 0 has {dtype}; "
                             "all inputs must share a dtype")


def _check(arrays: Inputs, params: None) -> None:
    cs, x = arrays[:-1], arrays[-1]
    _check_dtypes(arrays)
    n = len(cs)
    c0 = cs[0]
    if c0.ndim < 2:
        raise ShapeError(f"{_NAME}: the cell states must have at least 2 dimensions, got shape {tuple(c0.shape)}")
    for k, c_n in enumerate(cs):
        if c_n.shape != c0.shape:
            raise ShapeError(f"{_NAME}: every cell state must have the first one's shape {tuple(c0.shape)}; "
                             f"cell {k} has {tuple(c_n.shape)}")
    want = (c0.shape[0], (3 + n) * c0.shape[1]) + tuple(c0.shape[2:])
    if tuple(x.shape) != want:
        raise ShapeError(f"{_NAME}: x must have shape {want} ((3 + {n}) gates per unit for {n} cell "
                         f"state(s) of shape {tuple(c0.shape)}), got {tuple(x.shape)}")
    return None


def _sample(draw: Draw) -> Case:
    n = draw.integer(1, 3)
    shape = (draw.integer(1, 3), draw.integer(1, 2)) + draw.shape(min_dims=0, max_dims=1, max_side=2)
    wide = (shape[0], (3 + n) * shape[1]) + shape[2:]
    return Case(tuple(draw.floats(shape) for _ in range(n)) + (draw.floats(wide),), tree_lstm)


TREE_LSTM: MultiOutputOp[None] = register(MultiOutputOp(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=(), check=_check, float_inputs=(),
    broadcasts=False, second_order_vjp=_vjp_recorded))


def tree_lstm(*inputs: VariableLike) -> tuple[Variable, Variable]:
    """The TreeLSTM unit: ``tree_lstm(c_1, ..., c_N, x) -> (c, h)``.

    ``c_n``: the children's cell states ``(B, units, ...)``; ``x``: the gates'
    pre-activations ``(B, (3 + N) * units, ...)`` in consecutive blocks
    ``a, i, o, f_1, ..., f_N``.
    """
    if len(inputs) < 2:
        raise TypeError(f"{_NAME}: give at least one cell state and x (tree_lstm(c_1, ..., c_N, x)), "
                        f"got {len(inputs)} argument(s)")
    c, h = apply(TREE_LSTM, tuple(inputs), None)
    return c, h

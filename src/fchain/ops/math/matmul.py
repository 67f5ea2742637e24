"""matmul(a, b, transa=False, transb=False): numpy's matmul with Chainer's transposes.

Semantics (Chainer's ``F.matmul``): 2-D operands are matrices; with more dimensions
they are stacks of matrices in the last two axes, the leading (batch) axes
broadcasting against each other; a 1-D operand is a vector (a row on the left, a
column on the right, removed from the result), and ``transa``/``transb`` do nothing
to a vector.  ``trans*`` transposes the last two axes of that operand first.  A 0-d
operand is refused, as numpy's ``matmul`` and Chainer (``ndim >= 1``) refuse it:
its product would be an elementwise one, which ``*`` spells.  The shapes are
checked by the op's ``check`` on every call, so ``a @ b`` on Variables gets the
same errors as ``F.matmul``.

VJP, with ``A``/``B`` the operands after the transposes and vectors promoted to
matrices: ``gA = gy @ B^T`` and ``gB = A^T @ gy``, transposed back where the operand
was, promoted axes removed.  Batch axes that were broadcast are summed by the
traversal.  Residuals: (a, b), the inputs.  The rule uses ``xp.matmul`` and
``xp.swapaxes``, so on the second-order namespace it records matmul and transpose
ops and is differentiable again.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["MATMUL", "MatmulParams", "matmul"]


@dataclass(frozen=True, slots=True)
class MatmulParams:
    transa: bool
    transb: bool


_PARAMS = {(ta, tb): MatmulParams(ta, tb) for ta in (False, True) for tb in (False, True)}


def _oriented(xp: ArrayNamespace, m: Array, trans: bool) -> Array:
    return xp.swapaxes(m, -1, -2) if trans and m.ndim >= 2 else m


def _forward(xp: ArrayNamespace, inputs: Inputs, p: MatmulParams) -> Forwarded:
    a, b = inputs
    y = xp.matmul(_oriented(xp, a, p.transa), _oriented(xp, b, p.transb))
    return (y,), (a, b)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MatmulParams) -> Grads:
    a, b = residuals
    gy = grads[0]
    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    big_a = _oriented(xp, a, p.transa)
    big_b = _oriented(xp, b, p.transb)
    g_shape = list(gy.shape)
    if a_vec:
        big_a = xp.reshape(big_a, (1, a.shape[0]))
        g_shape.insert(len(g_shape) - (0 if b_vec else 1), 1)
    if b_vec:
        big_b = xp.reshape(big_b, (b.shape[0], 1))
        g_shape.append(1)
    g = xp.reshape(gy, tuple(g_shape)) if len(g_shape) != gy.ndim else gy
    ga = xp.matmul(g, xp.swapaxes(big_b, -1, -2))
    gb = xp.matmul(xp.swapaxes(big_a, -1, -2), g)
    if a_vec:  # (..., 1, k) -> (..., k); the traversal sums any batch axes
        ga = xp.reshape(ga, tuple(ga.shape[:-2]) + (ga.shape[-1],))
    elif p.transa:
        ga = xp.swapaxes(ga, -1, -2)
    if b_vec:  # (..., k, 1) -> (..., k)
        gb = xp.reshape(gb, tuple(gb.shape[:-1]))
    elif p.transb:
        gb = xp.swapaxes(gb, -1, -2)
    return ga, gb


def _matrix_shape(rows: int, cols: int, trans: bool) -> Shape:
    return (cols, rows) if trans else (rows, cols)


def _sample(draw: Draw) -> Case:
    m, k, n = draw.integer(1, 4), draw.integer(1, 4), draw.integer(1, 4)
    transa, transb = draw.boolean(), draw.boolean()
    kind = draw.choice(["matrix", "batch", "vector-left", "vector-right", "dot"])
    if kind == "dot":
        a_shape: Shape = (k,)
        b_shape: Shape = (k,)
    elif kind == "vector-left":
        a_shape = (k,)
        b_shape = draw.broadcastable_shape((draw.integer(1, 3),)) + _matrix_shape(k, n, transb)
    elif kind == "vector-right":
        a_shape = draw.broadcastable_shape((draw.integer(1, 3),)) + _matrix_shape(m, k, transa)
        b_shape = (k,)
    elif kind == "batch":
        batch = draw.shape(min_dims=1, max_dims=2, max_side=3)
        a_shape = draw.broadcastable_shape(batch) + _matrix_shape(m, k, transa)
        b_shape = draw.broadcastable_shape(batch) + _matrix_shape(k, n, transb)
        if draw.boolean():
            a_shape = batch + a_shape[-2:]
        else:
            b_shape = batch + b_shape[-2:]
    else:
        a_shape = _matrix_shape(m, k, transa)
        b_shape = _matrix_shape(k, n, transb)
    return Case((draw.floats(a_shape), draw.floats(b_shape)),
                lambda a, b: matmul(a, b, transa=transa, transb=transb),
                label=f"{kind} {a_shape} {b_shape} transa={transa} transb={transb}")


def _check(arrays: Inputs, p: MatmulParams) -> MatmulParams:
    """numpy's and Chainer's rules: both operands at least 1-d, the contracted axes
    of one size, the batch axes broadcastable."""
    a_shape, b_shape = tuple(arrays[0].shape), tuple(arrays[1].shape)
    a_ndim, b_ndim = len(a_shape), len(b_shape)
    for name, shape in (("a", a_shape), ("b", b_shape)):
        if not shape:
            raise ShapeError(
                f"matmul: {name} must have at least 1 dimension, got a 0-d array (shape ()); "
                "multiply by a scalar with * instead")
    transa, transb = p.transa, p.transb
    a_axis = -2 if transa and a_ndim >= 2 else -1
    b_axis = 0 if b_ndim == 1 else (-1 if transb else -2)
    if a_shape[a_axis] != b_shape[b_axis]:
        raise ShapeError(
            f"matmul: the inner dimensions differ: a has shape {a_shape} (transa={transa}), "
            f"contracting axis {a_axis} of size {a_shape[a_axis]}, but b has shape {b_shape} "
            f"(transb={transb}), contracting axis {b_axis} of size {b_shape[b_axis]}")
    if a_ndim > 2 or b_ndim > 2:
        a_batch, b_batch = a_shape[:-2], b_shape[:-2]
        if not _broadcast_batch(a_batch, b_batch):
            raise ShapeError(
                f"matmul: the batch axes of a {a_batch} (a.shape={a_shape}) and of b {b_batch} "
                f"(b.shape={b_shape}) do not broadcast")
    return p


def _broadcast_batch(a_batch: Shape, b_batch: Shape) -> bool:
    for x, y in zip(reversed(a_batch), reversed(b_batch)):
        if x != y and x != 1 and y != 1:
            return False
    return True


MATMUL: OpDef[MatmulParams] = register(OpDef(
    "matmul", _forward, _vjp, GradSpec(_sample), arg_names=("a", "b"), check=_check,
    float_inputs=(0, 1)))


def matmul(a: VariableLike, b: VariableLike, transa: bool = False, transb: bool = False) -> Variable:
    """Matrix product of ``a`` and ``b`` (stacks of matrices broadcast; vectors allowed).

    ``transa``/``transb`` transpose the last two axes of ``a``/``b`` first (nothing
    for a 1-D operand).  Both operands must be at least 1-D and share one floating
    dtype.  ``a @ b`` on Variables calls this.
    """
    if type(transa) is not bool:
        transa = bool_arg("matmul", "transa", transa)
    if type(transb) is not bool:
        transb = bool_arg("matmul", "transb", transb)
    return apply(MATMUL, (a, b), _PARAMS[bool(transa), bool(transb)])

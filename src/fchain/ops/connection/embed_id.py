"""embed_id(x, W, ignore_label=None) = W[x]: the rows of the embedding matrix ``W``
named by the integer ids ``x`` (a lookup table; Chainer's word embeddings).

``x`` is an integer array of any shape (at least 1-d), ``W`` is ``(V, D)``; the
output has shape ``x.shape + (D,)``.  With ``ignore_label``, the positions where
``x == ignore_label`` give zero rows (and pass no gradient).

VJP: ``gW`` is zeros of W's shape with every row of ``gy`` added to the row its id
names, in order (``backend.scatter_add_rows``: Chainer's sequential additions, bit
for bit); ``x`` gets none.  That scatter is itself the op ``embed_id_grad``, whose
own backward is the lookup again, so double backprop works to every order (the
recorded rule switches to it, as ``get_item`` does).  On the first-order pass the
scatter is returned unevaluated (a ``RowScatter``): the uses of one table, a
step of a recurrent model each, are scattered at once when the traversal ends
(``core.deferred_grad``); ``gy`` may arrive as ``linear``'s input gradient not yet
computed, and the steps' products are then one GEMM.  Residuals: ``x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fchain.core import backend
from fchain.core.deferred_grad import DeferredMatmul, RowScatter
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, int_arg
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["EMBED_ID", "EMBED_ID_GRAD", "EmbedIdParams", "embed_id"]

_NAME = "embed_id"


@dataclass(frozen=True, slots=True)
class EmbedIdParams:
    """``ignore_label``: the id that gives a zero row, or None."""

    ignore_label: int | None


@dataclass(frozen=True, slots=True, eq=False)
class EmbedIdGradParams:
    """The backward's scatter: the ids (an array on gy's device), W's shape and the
    ignored id."""

    x: Array
    w_shape: Shape
    ignore_label: int | None


def _lookup(xp: ArrayNamespace, x: Array, W: Array, ignore_label: int | None) -> Array:
    """``W[x]``, with zero rows where ``x == ignore_label`` (Chainer's ``where``)."""
    if ignore_label is None:
        return W[x]
    mask = x == ignore_label
    return xp.where(mask[..., None], 0.0, W[xp.where(mask, 0, x)])


def _scattered_rows(xp: ArrayNamespace, x: Array, gy: Array, w_shape: Shape, ignore_label: int | None
                    ) -> tuple[Array, Array]:
    """The ids and the rows of ``gy`` the scatter adds (those of ``ignore_label`` left out)."""
    rows = xp.reshape(x, (-1,))
    values = xp.reshape(gy, (-1, w_shape[1]))
    if ignore_label is not None:
        keep = rows != ignore_label
        rows, values = rows[keep], values[keep]
    return rows, values


def _scatter(xp: ArrayNamespace, x: Array, gy: Array, w_shape: Shape, ignore_label: int | None) -> Array:
    """``gy``'s rows added to the rows of zeros(w_shape) that ``x`` names."""
    rows, values = _scattered_rows(xp, x, gy, w_shape, ignore_label)
    return backend.scatter_add_rows(xp, w_shape[0], rows, values)


def _forward(xp: ArrayNamespace, inputs: Inputs, p: EmbedIdParams) -> Forwarded:
    x, W = inputs
    return (_lookup(xp, x, W, p.ignore_label),), (x, W)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: EmbedIdParams) -> Grads:
    x, W = residuals
    return None, _scatter(xp, x, grads[0], tuple(W.shape), p.ignore_label)


def _first_order_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: EmbedIdParams
                     ) -> tuple[None, RowScatter]:
    """The scatter unevaluated; ``gy`` may itself be a product not yet computed
    (``linear``'s ``gx``, for a 1-d ``x``: its rows are the ids' rows)."""
    x, W = residuals
    shape = tuple(W.shape)
    gy: Array | DeferredMatmul = grads[0]
    if isinstance(gy, DeferredMatmul):
        if x.ndim != 1:
            gy = gy.left @ gy.right
        else:
            if p.ignore_label is None:
                return None, RowScatter.of(shape, x, gy)
            keep = x != p.ignore_label
            return None, RowScatter.of(shape, x[keep], gy.rows(keep))
    rows, values = _scattered_rows(xp, x, gy, shape, p.ignore_label)
    return None, RowScatter.of(shape, rows, values)


def _array(v: object) -> Array:
    """A residual's array: the second-order pass hands back input Variables."""
    return cast(Array, v.array if isinstance(v, Variable) else v)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: EmbedIdParams) -> Grads:
    """Second order: the scatter as the op ``embed_id_grad``, differentiable itself."""
    x, W = _array(residuals[0]), residuals[1]
    params = EmbedIdGradParams(x, tuple(W.shape), p.ignore_label)
    return None, cast(Array, apply(EMBED_ID_GRAD, (cast(Variable, grads[0]),), params))


def _forward_grad(xp: ArrayNamespace, inputs: Inputs, p: EmbedIdGradParams) -> Forwarded:
    return (_scatter(xp, p.x, inputs[0], p.w_shape, p.ignore_label),), ()


def _vjp_grad(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: EmbedIdGradParams) -> Grads:
    return (_lookup(xp, p.x, grads[0], p.ignore_label),)


def _vjp_grad_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: EmbedIdGradParams) -> Grads:
    """Second order of the scatter: the lookup again, as the op ``embed_id``."""
    return (cast(Array, apply(EMBED_ID, (p.x, cast(Variable, grads[0])), EmbedIdParams(p.ignore_label))),)


def _check(arrays: Inputs, p: EmbedIdParams) -> EmbedIdParams:
    x, W = arrays
    if x.dtype.kind not in "iu":
        raise DTypeError(f"{_NAME}: x must hold integer ids, got dtype {x.dtype}")
    if x.ndim < 1:
        raise ShapeError(f"{_NAME}: x must have at least one dimension, got a 0-d array")
    if W.ndim != 2:
        raise ShapeError(f"{_NAME}: W must be 2-d (n_ids, n_units), got shape {tuple(W.shape)}")
    return p


def _draw_ids(draw: Draw, n_ids: int, ignore: int | None) -> Array:
    x = draw.integers(draw.shape(min_dims=1, max_dims=2, max_side=4), 0, n_ids - 1)
    if ignore is not None and draw.boolean():
        x.reshape(-1)[0] = ignore
    return x


def _sample(draw: Draw) -> Case:
    n_ids, units = draw.integer(1, 4), draw.integer(1, 3)
    ignore = draw.choice([None, -1, 0])
    x = _draw_ids(draw, n_ids, ignore)
    return Case((x, draw.floats((n_ids, units))), lambda x, W: embed_id(x, W, ignore_label=ignore),
                check=(1,))


def _sample_grad(draw: Draw) -> Case:
    n_ids, units = draw.integer(1, 4), draw.integer(1, 3)
    ignore = draw.choice([None, -1, 1])
    x = _draw_ids(draw, n_ids, ignore)

    def call(gy: Variable, ids: Variable) -> Variable:
        params = EmbedIdGradParams(ids.array, (n_ids, units), ignore)
        return apply(EMBED_ID_GRAD, (gy,), params)

    return Case((draw.floats(tuple(x.shape) + (units,)), x), call, check=(0,))


EMBED_ID: OpDef[EmbedIdParams] = register(OpDef(
    _NAME, _forward, _vjp, GradSpec(_sample), arg_names=("x", "W"), check=_check, float_inputs=(1,),
    broadcasts=False, second_order_vjp=_vjp_recorded, first_order_vjp=_first_order_vjp,
    accepts_deferred_matmul=True))
EMBED_ID_GRAD: OpDef[EmbedIdGradParams] = register(OpDef(
    "embed_id_grad", _forward_grad, _vjp_grad, GradSpec(_sample_grad), arg_names=("gy",),
    broadcasts=False, second_order_vjp=_vjp_grad_recorded))


def embed_id(x: VariableLike, W: VariableLike, ignore_label: int | None = None) -> Variable:
    """Rows of ``W`` looked up by the integer ids ``x``: ``y[..., :] = W[x[...]]``.

    Args:
        x: Integer ids of any shape (at least 1-d); not differentiated.
        W: The embedding matrix ``(n_ids, n_units)``.
        ignore_label: An id whose positions give zero rows and no gradient
            (``None``: every id is looked up).

    Returns ``(*x.shape, n_units)`` in W's dtype.  Only ``W`` gets a gradient.
    """
    if ignore_label is not None and type(ignore_label) is not int:
        ignore_label = int_arg(_NAME, "ignore_label", ignore_label)
    return apply(EMBED_ID, (x, W), EmbedIdParams(ignore_label))

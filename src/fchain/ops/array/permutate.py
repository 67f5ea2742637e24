"""permutate(x, indices, axis=0, inv=False): x's entries along ``axis`` reordered.

``y[i] = x[indices[i]]`` along ``axis``, or, with ``inv=True``,
``y[indices[i]] = x[i]``; ``indices`` must be a permutation of
``0 .. x.shape[axis] - 1`` (checked on every call: Chainer checks only in debug
mode, and a repeated index would give a wrong gradient silently).

VJP: ``gy`` reordered by the inverse permutation (an integer-array index, which
double backprop differentiates as ``get_item``).  Residuals: none.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DeviceMismatchError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, name_arrays
from fchain.ops.array._permute_axes import axis_in
from fchain.types import Array, ArrayNamespace

__all__ = ["PERMUTATE", "PermutateParams", "permutate"]


@dataclass(frozen=True, slots=True, eq=False)
class PermutateParams:
    """``forward`` and ``backward``: the index tuples of the output and of the
    gradient (slices up to ``axis``, then the permutation or its inverse)."""

    forward: tuple[slice | Array, ...]
    backward: tuple[slice | Array, ...]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: PermutateParams) -> Forwarded:
    return (inputs[0][p.forward],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: PermutateParams) -> Grads:
    return (grads[0][p.backward],)


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(-len(shape), len(shape) - 1)
    n = shape[axis]
    order = list(range(n))
    perm = [order.pop(draw.integer(0, len(order) - 1)) for _ in range(n)]
    inv = draw.boolean()
    indices = draw.integers((n,), 0, 0) + perm  # int64, so the harness moves it with x

    def call(x: Variable, ix: Variable) -> Variable:
        return permutate(x, ix.array, axis, inv)

    return Case((draw.floats(shape), indices), call, check=(0,))


PERMUTATE: OpDef[PermutateParams] = register(OpDef(
    "permutate", _forward, _vjp, GradSpec(_sample), float_inputs=(), broadcasts=False))


def permutate(x: VariableLike, indices: VariableLike, axis: int = 0, inv: bool = False) -> Variable:
    """Reorder ``x`` along ``axis``: ``y[i] = x[indices[i]]`` (or, with ``inv=True``,
    ``y[indices[i]] = x[i]``); ``indices`` is a 1-d integer permutation."""
    try:
        data = as_array(x)
    except TypeError:
        name_arrays("permutate", ("x", x))
        raise
    order = indices.array if isinstance(indices, Variable) else indices
    kind = str(getattr(getattr(order, "dtype", None), "kind", ""))
    if kind not in ("i", "u") or getattr(order, "ndim", None) != 1:
        raise ValueError(f"permutate: indices must be a 1-d integer array, got "
                         f"{type(order).__name__} of dtype {getattr(order, 'dtype', None)} and "
                         f"shape {getattr(order, 'shape', None)}")
    shape = tuple(data.shape)
    ax = axis_in("permutate", "axis", axis, shape)
    if type(inv) is not bool:
        inv = bool_arg("permutate", "inv", inv)
    xp = backend.namespace_of(data)
    if backend.is_cupy_array(order) != backend.is_cupy_array(data):
        if not backend.is_cupy_array(data):
            raise DeviceMismatchError("permutate: x is a numpy array but indices is on a GPU; "
                                      "move it with to_cpu()")
        order = xp.asarray(order)
    n = shape[ax]
    if order.shape[0] != n:
        raise ShapeError(f"permutate: indices has {order.shape[0]} entries but x.shape[{ax}] is {n} "
                         f"(x has shape {shape})")
    inverse = _inverse(xp, order, n)
    lead = (slice(None),) * ax
    fwd, bwd = (inverse, order) if inv else (order, inverse)
    return apply(PERMUTATE, (x,), PermutateParams(lead + (fwd,), lead + (bwd,)))


def _inverse(xp: ArrayNamespace, order: Array, n: int) -> Array:
    """The inverse of the permutation ``order`` of ``range(n)``; a ``ValueError``
    unless ``order`` is one."""
    order = order.astype(xp.int64)
    if n and not bool(((order >= 0) & (order < n)).all()):
        raise ValueError(f"permutate: indices must be a permutation of 0..{n - 1}, got values out of range")
    inverse = xp.zeros(n, dtype=xp.int64)
    inverse[order] = xp.arange(n)
    if not bool((order[inverse] == xp.arange(n)).all()):
        raise ValueError(f"permutate: indices must be a permutation of 0..{n - 1}, got a repeated value")
    return inverse

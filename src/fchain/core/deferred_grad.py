"""Parameter gradients summed before they are computed.

A parameter used at every step of a recurrence receives one gradient per use, and
for the two ops that carry a recurrent model's parameters each of those is small:
``linear``'s ``gW = gy^T x`` is a GEMM whose inner dimension is the batch (20 rows,
BLAS's least efficient shape), ``embed_id``'s ``gW`` a scatter of a few rows into
a fresh table of zeros.  Computed one by one, each is followed by an addition into
the running sum.

Such an op may return that gradient unevaluated instead, as a ``DeferredGrad``: a
``ProductSum`` (``sum_k lefts[k]^T rights[k]``) or a ``RowScatter`` (rows added at
ids into zeros).  Two of the same kind, shape, dtype and namespace combine by
concatenating their factors, so the traversal, adding up a parameter's gradients
as it always does, ends with one factor list per parameter, which ``evaluate``
computes once: one GEMM with the uses' rows stacked along its inner dimension, or
one scatter.  The sum is the same up to rounding (the products are added in
another order); a single use evaluates to exactly what the op would have
computed.

What a deferred sum holds is bounded: beyond ``MAX_DEFERRED_ROWS`` rows of
factors, the ones held are evaluated into a dense partial sum (``base``) and the
deferral starts again.  Ops defer only below the
sizes where the batching pays (``DEFER_BELOW_ROWS``), so a large batch keeps the
eager path and its memory profile.

An input's gradient can wait too, when the op that made the input stacks it with
others: ``linear``'s ``gx = gy W`` of a few rows is returned as a
``DeferredMatmul``, which the traversal evaluates at once unless the input's
creator declares ``accepts_deferred_matmul`` (``embed_id``: its scatter takes the
rows unevaluated, and the 35 steps' ``gy_t W`` become one GEMM of the stacked
``gy_t`` when the scatter is).  Every other consumer sees arrays.

The factors a step's sums stack are often the same arrays: the ``gy`` of a
recurrent unit's input and recurrent weights (and of the input's embedding) is
one array per step.  ``evaluate`` takes a ``Stacks`` memo, with which sums
evaluated together stack each distinct tuple of factors once.
"""

from __future__ import annotations

from dataclasses import dataclass

from fchain.core import backend, small_gemm, workspace
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["DEFER_BELOW_ROWS", "MAX_DEFERRED_ROWS", "DeferredGrad", "DeferredMatmul", "ProductSum",
           "RowScatter", "Stacks", "add_gradients", "evaluate"]

DEFER_BELOW_ROWS = 64
"""An op defers a product whose inner dimension (rows of ``gy``) is below this:
OpenBLAS (one thread, 800 x 200 results) computes a 20-row product at about 60% of
the rate of the same rows stacked to 160, an 80-row one within about 10% of it.  A
larger batch keeps the eager path (and its memory profile: nothing held)."""


MAX_DEFERRED_ROWS = 1024
"""A deferred sum holds at most this many rows of factors; more are evaluated into
a dense partial sum.  A longer inner dimension gains BLAS nothing more (one
thread: 700 stacked rows of an 800 x 200 product run at 1.8x the rate of 20-row
ones, 160 rows at 1.5x), and the memory held stays bounded: at most
``MAX_DEFERRED_ROWS * (out + in)`` elements of factors per parameter, most of them
(the ``rights``, a layer's inputs) held by the graph anyway."""


@dataclass(frozen=True, slots=True, eq=False)
class ProductSum:
    """``base + sum_k lefts[k]^T @ rights[k]``, not yet computed.

    ``lefts[k]`` is ``(n_k, out)`` and ``rights[k]`` ``(n_k, in)``, 2-d arrays of
    one dtype and namespace; ``rows`` is ``sum n_k``; ``base`` a dense partial sum
    of the gradient's shape, or ``None``."""

    lefts: tuple[Array, ...]
    rights: tuple[Array, ...]
    rows: int
    base: Array | None = None

    @staticmethod
    def of(left: Array, right: Array) -> ProductSum:
        """The single product ``left^T @ right``."""
        return ProductSum((left,), (right,), int(left.shape[0]))

    @property
    def shape(self) -> Shape:
        return (int(self.lefts[0].shape[1]), int(self.rights[0].shape[1]))

    @property
    def first(self) -> Array:
        """One of the factors: its dtype and array type are the sum's."""
        return self.lefts[0]


@dataclass(frozen=True, slots=True, eq=False)
class RowScatter:
    """``base`` (or zeros of ``shape``) with row ``values[k][j]`` added to row
    ``ids[k][j]``, in order, not yet computed.  ``ids[k]`` are 1-d integer arrays,
    ``values[k]`` 2-d ``(len(ids[k]), shape[1])`` (arrays, or products not yet
    computed), ``rows`` the number of ids."""

    shape: Shape
    ids: tuple[Array, ...]
    values: tuple[Array | DeferredMatmul, ...]
    rows: int
    base: Array | None = None

    @staticmethod
    def of(shape: Shape, ids: Array, values: Array | DeferredMatmul) -> RowScatter:
        """The single scatter of ``values``' rows at ``ids``."""
        return RowScatter(shape, (ids,), (values,), int(ids.shape[0]))

    @property
    def first(self) -> Array:
        """One of the values' arrays: its dtype and array type are the sum's."""
        value = self.values[0]
        return value.left if isinstance(value, DeferredMatmul) else value


@dataclass(frozen=True, slots=True, eq=False)
class DeferredMatmul:
    """``left @ right``, an input's gradient not yet computed: ``left`` is
    ``(n, k)``, ``right`` ``(k, m)``, one dtype and namespace (``linear``'s
    ``gy`` and ``W``).  It reaches only a creator that declares
    ``accepts_deferred_matmul``; the traversal evaluates it for anything else."""

    left: Array
    right: Array

    @property
    def shape(self) -> Shape:
        return (int(self.left.shape[0]), int(self.right.shape[1]))

    @property
    def first(self) -> Array:
        return self.left

    def rows(self, keep: Array) -> DeferredMatmul:
        """The product's rows where ``keep`` (a boolean mask) is true."""
        return DeferredMatmul(self.left[keep], self.right)


DeferredGrad = ProductSum | RowScatter | DeferredMatmul
_SUMS = (ProductSum, RowScatter)
_DEFERRED = (ProductSum, RowScatter, DeferredMatmul)

Stacks = dict[tuple[int, ...], Array]
"""A memo of stacked factors, by the ``id``s of the arrays stacked: valid while
those arrays are alive (the deferred sums evaluated with it hold them)."""


def _concat(xp: ArrayNamespace, arrays: tuple[Array, ...], stacks: Stacks | None) -> Array:
    if len(arrays) == 1:
        return arrays[0]
    if stacks is None:
        return workspace.concatenate(xp, arrays)
    key = tuple([id(a) for a in arrays])
    stacked = stacks.get(key)
    if stacked is None:
        stacked = stacks[key] = workspace.concatenate(xp, arrays)
    return stacked


def _scattered_values(xp: ArrayNamespace, values: tuple[Array | DeferredMatmul, ...], stacks: Stacks | None
                      ) -> Array:
    """A scatter's rows, stacked: products of one right factor as one GEMM of the
    stacked left factors, anything else evaluated and stacked."""
    first = values[0]
    if type(first) is DeferredMatmul:
        right = first.right
        lefts: list[Array] = []
        for v in values:
            if type(v) is not DeferredMatmul or v.right is not right:
                break
            lefts.append(v.left)
        else:
            return workspace.matmul(xp, _concat(xp, tuple(lefts), stacks), right)
    return _concat(xp, tuple([v.left @ v.right if isinstance(v, DeferredMatmul) else v for v in values]), stacks)


def evaluate(g: DeferredGrad, stacks: Stacks | None = None) -> Array:
    """The array ``g`` stands for, in memory nothing else uses (``g`` is left as it
    was).  The stacked factors and the product come from ``core.workspace``'s pool:
    a recurrent model's step evaluates the same shapes every time, and fresh
    arrays of a few megabytes each would be new pages to fault in at every step.
    With ``stacks``, factor tuples already stacked there are not stacked again."""
    if type(g) is DeferredMatmul:
        return small_gemm.matmul(g.left, g.right)
    if type(g) is RowScatter:
        xp = backend.namespace_of(g.first)
        total = backend.scatter_add_rows(xp, g.shape[0], _concat(xp, g.ids, None),
                                         _scattered_values(xp, g.values, stacks))
    else:
        assert type(g) is ProductSum
        xp = backend.namespace_of(g.lefts[0])
        total = workspace.matmul(xp, _concat(xp, g.lefts, stacks).T, _concat(xp, g.rights, stacks))
    if g.base is not None:
        total += g.base
    return total


def _with_base(g: ProductSum | RowScatter, base: Array | None) -> ProductSum | RowScatter:
    if type(g) is RowScatter:
        return RowScatter(g.shape, g.ids, g.values, g.rows, base)
    assert type(g) is ProductSum
    return ProductSum(g.lefts, g.rights, g.rows, base)


def _combine(a: ProductSum | RowScatter, b: ProductSum | RowScatter) -> ProductSum | RowScatter:
    """``a + b`` for two deferred sums of one kind, shape, dtype and array type:
    their factors concatenated, or, beyond ``MAX_DEFERRED_ROWS``, ``a`` evaluated
    into the dense base ``b`` continues from."""
    base = a.base if b.base is None else b.base if a.base is None else a.base + b.base
    rows = a.rows + b.rows
    if rows > MAX_DEFERRED_ROWS:
        return _with_base(b, evaluate(_with_base(a, base)))
    if type(a) is RowScatter:
        assert type(b) is RowScatter
        return RowScatter(a.shape, a.ids + b.ids, a.values + b.values, rows, base)
    assert type(a) is ProductSum and type(b) is ProductSum
    return ProductSum(a.lefts + b.lefts, a.rights + b.rights, rows, base)


def add_gradients(a: Array | DeferredGrad, b: Array | DeferredGrad) -> Array | DeferredGrad:
    """``a + b`` where either may be deferred: two compatible deferred sums combine
    (same kind, shape, dtype and array type); anything else is computed."""
    if (isinstance(a, _SUMS) and isinstance(b, _SUMS) and type(a) is type(b)
            and a.shape == b.shape and a.first.dtype == b.first.dtype and type(a.first) is type(b.first)):
        return _combine(a, b)
    dense_a = evaluate(a) if isinstance(a, _DEFERRED) else a
    dense_b = evaluate(b) if isinstance(b, _DEFERRED) else b
    return dense_a + dense_b

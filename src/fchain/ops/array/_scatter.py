"""The backward of a gather, for ops whose forward picks elements of ``x`` by an
index that may name an element several times (``repeat`` with per-element counts,
``pad`` in its ``edge``/``reflect``/``symmetric``/``wrap`` modes, ...).

``scatter`` is the first-order rule: zeros of x's shape with ``gy`` added at the
index (``fchain.core.backend.scatter_add``: repeated positions accumulate, in index
order); ``scatter_flat`` the same for an op that computes the flat positions
itself, which is much cheaper for large gathers (``resize_images``, ``pad``).  ``scatter_recorded`` is the same scatter while the backward pass is
recorded (double backprop): the op ``get_item_grad``, whose own backward is the
gather ``get_item``, so every order of derivative is available.  An op using them
declares ``second_order_vjp`` (its rule on Variables calls an op), as ``get_item``
does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from fchain.core import backend
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops.array.get_item import GET_ITEM_GRAD, GetItemParams
from fchain.types import Array, ArrayNamespace, Shape

__all__ = ["FlatScatter", "GatherIndex", "scatter", "scatter_flat", "scatter_flat_recorded", "scatter_recorded"]

GatherIndex = tuple[slice | Array, ...]
"""An index of slices and integer arrays (on x's device), as ``x[index]`` reads it."""


def scatter(xp: ArrayNamespace, gy: Array, index: GatherIndex, shape: Shape) -> Array:
    """Zeros of ``shape`` (``gy``'s dtype) with ``gy`` added at ``index``."""
    return backend.scatter_add(xp, shape, gy.dtype, index, gy)


def scatter_recorded(gy: Array, index: GatherIndex, shape: Shape) -> Array:
    """``scatter`` as the recorded op ``get_item_grad`` (``gy`` is a Variable)."""
    return cast(Array, apply(GET_ITEM_GRAD, (cast(Variable, gy),), GetItemParams(index, shape)))


FlatScatter = Callable[[ArrayNamespace, Array, Array, int], Array]
"""``scatter_flat`` (first order) or ``scatter_flat_recorded`` (second order)."""


def scatter_flat(xp: ArrayNamespace, values: Array, positions: Array, size: int) -> Array:
    """Zeros of ``(size,)`` (``values``' dtype) with ``values`` added at the flat
    ``positions`` (1-d, ``values.size`` of them, in ``values``' C order)."""
    return backend.scatter_add_flat(xp, size, positions, values)


def scatter_flat_recorded(xp: ArrayNamespace, values: Array, positions: Array, size: int) -> Array:
    """``scatter_flat`` as the recorded op ``get_item_grad`` (``values`` is a Variable)."""
    return scatter_recorded(xp.reshape(values, (-1,)), (positions,), (size,))

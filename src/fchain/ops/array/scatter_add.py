"""scatter_add(a, slices, b): a copy of ``a`` with ``b`` added at ``a[slices]``.

``slices`` is any index ``get_item`` takes; positions an integer array names
several times receive every addition, in order (numpy's ``add.at`` on a copy of
``a``, as Chainer).  ``b`` must have the shape of ``a[slices]`` exactly (no
broadcasting, as Chainer).

VJP: ``ga = gy`` and ``gb = gy[slices]`` (``get_item``, so double backprop
differentiates it again).  Residuals: none.
"""

from __future__ import annotations

from typing import Any, cast

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, name_arrays
from fchain.ops.array.get_item import GetItemParams, normalize_index
from fchain.types import ArrayNamespace, Slices

__all__ = ["SCATTER_ADD", "scatter_add"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: GetItemParams) -> Forwarded:
    a, b = inputs
    return (backend.scatter_add(xp, p.in_shape, a.dtype, p.index, b, base=a),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GetItemParams) -> Grads:
    gy = grads[0]
    return gy, gy[cast(Any, p.index)]


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    axis = draw.integer(0, len(shape) - 1)
    kind = draw.choice(["integer", "slice"])
    if kind == "integer":
        idx = draw.integers((draw.integer(1, 5),), -shape[axis], shape[axis] - 1)  # repeats are likely
        b_shape = shape[:axis] + (len(idx),) + shape[axis + 1:]

        def call(a: Variable, b: Variable, ix: Variable) -> Variable:
            return scatter_add(a, (slice(None),) * axis + (ix.array,), b)

        return Case((draw.floats(shape), draw.floats(b_shape), idx), call, check=(0, 1))
    start = draw.integer(0, shape[axis] - 1)
    b_shape = shape[:axis] + (len(range(start, shape[axis], 2)),) + shape[axis + 1:]
    return Case((draw.floats(shape), draw.floats(b_shape)),
                lambda a, b: scatter_add(a, (slice(None),) * axis + (slice(start, None, 2),), b))


SCATTER_ADD: OpDef[GetItemParams] = register(OpDef(
    "scatter_add", _forward, _vjp, GradSpec(_sample), arg_names=("a", "b"), float_inputs=(0, 1),
    broadcasts=False))


def scatter_add(a: VariableLike, slices: Slices, b: VariableLike) -> Variable:
    """A copy of ``a`` with ``b`` added at ``slices`` (repeated positions accumulate);
    ``b`` has the shape of ``a[slices]``."""
    try:
        data = as_array(a)
        b_data = as_array(b)
    except TypeError:
        name_arrays("scatter_add", ("a", a), ("b", b))
        raise
    index = normalize_index(slices, data)
    try:
        selected = tuple(data[cast(Any, index)].shape)
    except IndexError as error:
        raise ShapeError(f"scatter_add: slices {slices!r} do not index a of shape {tuple(data.shape)}: "
                         f"{error}") from None
    if tuple(b_data.shape) != selected:
        raise ShapeError(f"scatter_add: b has shape {tuple(b_data.shape)} but a[slices] has shape {selected}; "
                         "b must have that shape exactly (no broadcasting, as Chainer)")
    return apply(SCATTER_ADD, (a, b), GetItemParams(index, tuple(data.shape)))

"""get_item(x, slices) = x[slices]: basic and advanced indexing, as numpy defines it.

``slices`` is an int, a slice, ``None`` (a new axis), ``Ellipsis``, an integer or
boolean array (or a list, taken as an array), or a tuple of those.  As in Chainer, a
list of ints is one integer-array index and any other list is read as a tuple.

VJP: ``gy`` scattered into zeros of x's shape; an element an integer array names
several times receives the sum of its gradients (``fchain.core.backend.scatter_add``).
That scatter is itself an op, ``get_item_grad``, whose VJP is ``get_item`` again, so
every order of derivative is available: the rule switches to it when the backward
pass is being recorded (double backprop), where the gradients are Variables.
Residuals: none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import EllipsisType
from typing import Any, SupportsIndex, TypeAlias, cast

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DeviceMismatchError, DTypeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, shape_of
from fchain.types import Array, ArrayNamespace, IndexItem, Shape, Slices

__all__ = ["GET_ITEM", "GET_ITEM_GRAD", "GetItemParams", "IndexItem", "Slices", "get_item", "normalize_index"]

_Entry: TypeAlias = int | slice | EllipsisType | None | Array
_Builder = Callable[[tuple[Array, ...]], Slices]


@dataclass(frozen=True, slots=True, eq=False)
class GetItemParams:
    """The normalized index (a tuple; arrays on x's device) and x's shape."""

    index: tuple[_Entry, ...]
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: GetItemParams) -> Forwarded:
    return (inputs[0][cast(Any, p.index)],), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GetItemParams) -> Grads:
    gy = grads[0]
    return (backend.scatter_add(xp, p.in_shape, gy.dtype, p.index, gy),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GetItemParams) -> Grads:
    """Second order: the scatter is the op ``get_item_grad``, differentiable itself."""
    return (cast(Array, apply(GET_ITEM_GRAD, (cast(Variable, grads[0]),), p)),)


def _forward_grad(xp: ArrayNamespace, inputs: Inputs, p: GetItemParams) -> Forwarded:
    gy = inputs[0]
    return (backend.scatter_add(xp, p.in_shape, gy.dtype, p.index, gy),), ()


def _vjp_grad(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GetItemParams) -> Grads:
    return (grads[0][cast(Any, p.index)],)


def _vjp_grad_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GetItemParams) -> Grads:
    """Second order of the scatter: ``get_item`` again, as an op."""
    return (cast(Array, apply(GET_ITEM, (cast(Variable, grads[0]),), p)),)


def _draw_index(draw: Draw) -> tuple[Shape, tuple[Array, ...], _Builder]:
    """x's shape, the integer arrays the index uses (drawn as int64 inputs, so they
    travel to the test's device) and how to build the index from them."""
    kind = draw.choice(["basic", "integer", "two_integer", "mask"])
    if kind == "basic":
        shape = draw.shape(min_dims=1)
        items: list[IndexItem] = []
        for n in shape[:draw.integer(1, len(shape))]:
            pick = draw.choice(["int", "slice", "reverse", "all"])
            if pick == "int":
                items.append(draw.integer(-n, n - 1))
            elif pick == "slice":
                items.append(slice(draw.integer(0, n - 1), None, draw.choice([1, 2])))
            elif pick == "reverse":
                items.append(slice(draw.integer(0, n - 1), None, -1))
            else:
                items.append(slice(None))
        if draw.boolean():
            items.append(Ellipsis)
        if draw.boolean():
            items.insert(draw.integer(0, len(items)), None)
        basic = tuple(items)
        return shape, (), lambda ix: basic
    if kind == "integer":
        shape = draw.shape(min_dims=1)
        axis = draw.integer(0, len(shape) - 1)
        n = shape[axis]
        idx = draw.integers((draw.integer(1, 5),), -n, n - 1)  # repeats are likely
        lead = (slice(None),) * axis
        return shape, (idx,), lambda ix: lead + (ix[0],)
    if kind == "two_integer":
        shape = draw.shape(min_dims=3, max_dims=3)
        m = draw.integer(1, 4)
        i0 = draw.integers((m,), 0, shape[0] - 1)
        i2 = draw.integers((m,), -shape[2], shape[2] - 1)
        return shape, (i0, i2), lambda ix: (ix[0], slice(None), ix[1])
    shape = draw.shape(min_dims=1)
    k = draw.integer(1, len(shape))
    mask = draw.integers(shape[:k], 0, 1)
    mask[(0,) * k] = 1  # never empty
    return shape, (mask,), lambda ix: ix[0] > 0


def _sample(draw: Draw) -> Case:
    shape, index_inputs, build = _draw_index(draw)

    def call(x: Variable, *ix: Variable) -> Variable:
        return get_item(x, build(tuple(v.array for v in ix)))

    return Case((draw.floats(shape),) + index_inputs, call, check=(0,))


def _sample_grad(draw: Draw) -> Case:
    shape, index_inputs, build = _draw_index(draw)
    out_shape = tuple(draw.floats(shape)[cast(Any, build(index_inputs))].shape)

    def call(gy: Variable, *ix: Variable) -> Variable:
        return _get_item_grad(gy, build(tuple(v.array for v in ix)), shape)

    return Case((draw.floats(out_shape),) + index_inputs, call, check=(0,))


GET_ITEM: OpDef[GetItemParams] = register(
    OpDef("get_item", _forward, _vjp, GradSpec(_sample), float_inputs=(),
          second_order_vjp=_vjp_recorded))
GET_ITEM_GRAD: OpDef[GetItemParams] = register(
    OpDef("get_item_grad", _forward_grad, _vjp_grad, GradSpec(_sample_grad), float_inputs=(),
          arg_names=("gy",), second_order_vjp=_vjp_grad_recorded))


# ----------------------------------------------------------------- public function
def _entry(item: object, data: Array) -> _Entry:
    if item is None or item is Ellipsis or isinstance(item, slice):
        return cast(_Entry, item)
    if isinstance(item, Variable):
        raise TypeError("get_item: an index cannot be a Variable; index with its .array")
    if isinstance(item, (list, tuple)):
        item = backend.namespace_of(data).asarray(item)
    if hasattr(item, "dtype") and hasattr(item, "ndim"):
        array = cast(Array, item)
        if array.dtype.kind not in "iub":
            raise DTypeError(
                f"get_item: an index array must hold integers or booleans, got dtype {array.dtype}")
        on_gpu = backend.is_cupy_array(data)
        if backend.is_cupy_array(array) != on_gpu:
            if not on_gpu:
                raise DeviceMismatchError(
                    "get_item: x is a numpy array but an index array is on a GPU; move it with to_cpu()")
            array = backend.namespace_of(data).asarray(array)
        return array
    if isinstance(item, bool):
        return item
    if hasattr(item, "__index__"):
        return int(cast(SupportsIndex, item).__index__())
    raise TypeError(
        "get_item: slices must be ints, slices, None, Ellipsis, integer or boolean arrays, "
        f"or a tuple of them; got {type(item).__name__}")


def _normalize(slices: object, data: Array) -> tuple[_Entry, ...]:
    if isinstance(slices, list):
        if all(isinstance(s, int) for s in slices):
            return (_entry(slices, data),)
        return tuple(_entry(s, data) for s in slices)
    if isinstance(slices, tuple):
        return tuple(_entry(s, data) for s in slices)
    return (_entry(slices, data),)


def normalize_index(slices: Slices, data: Array) -> tuple[_Entry, ...]:
    """``slices`` as ``get_item`` reads it: a tuple whose arrays are on ``data``'s
    device (``scatter_add`` indexes the same way)."""
    return _normalize(slices, data)


def _data_of(x: VariableLike) -> Array:
    if isinstance(x, Variable):
        return x.array
    shape_of(x, "get_item")
    return x


def get_item(x: VariableLike, slices: Slices) -> Variable:
    """``x[slices]`` with numpy's indexing rules; ``x[...]`` on a Variable calls this.

    Integer arrays may repeat an index: the gradient then sums over the repeats.
    """
    data = _data_of(x)
    return apply(GET_ITEM, (x,), GetItemParams(_normalize(slices, data), tuple(data.shape)))


def _get_item_grad(gy: VariableLike, slices: Slices, in_shape: Shape) -> Variable:
    """Zeros of ``in_shape`` with ``gy`` added at ``slices`` (get_item's backward, as an op)."""
    data = _data_of(gy)
    return apply(GET_ITEM_GRAD, (gy,), GetItemParams(_normalize(slices, data), tuple(in_shape)))

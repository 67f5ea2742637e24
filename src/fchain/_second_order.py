"""The second-order namespace: ``ArrayNamespace`` implemented with fchain ops.

During ``backward(enable_double_backprop=True)`` every rule's ``vjp`` runs with
``xp = DIFF``.  Its arguments are then Variables (or constant arrays), each call
below is a recorded fchain op, and so the backward pass becomes a graph that can be
differentiated again.  Comparisons, ``sign`` and constructors return plain arrays:
they carry no gradient.  Members that have no differentiable counterpart raise
``NotDoubleDifferentiableError`` naming themselves (today only ``tensordot``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy

from fchain.core import backend
from fchain.errors import NotDoubleDifferentiableError
from fchain.graph.variable import Variable
from fchain.ops.math.absolute import absolute as _absolute
from fchain.ops.array.broadcast_to import broadcast_to as _broadcast_to
from fchain.ops.array.cast import cast as _cast
from fchain.ops.math.clip import clip as _clip
from fchain.ops.array.concat import concat as _concat
from fchain.ops.math.cos import cos as _cos
from fchain.ops.math.exp import exp as _exp
from fchain.ops.array.expand_dims import expand_dims as _expand_dims
from fchain.ops.array.flip import flip_axes as _flip_axes
from fchain.ops.math.log import log as _log
from fchain.ops.math.log1p import log1p as _log1p
from fchain.ops.math.matmul import matmul as _matmul
from fchain.ops.math.max import max as _max
from fchain.ops.math.maximum import maximum as _maximum
from fchain.ops.math.mean import mean as _mean
from fchain.ops.math.min import min as _min
from fchain.ops.math.minimum import minimum as _minimum
from fchain.ops.array.pad import pad as _pad
from fchain.ops.array.repeat import repeat as _repeat
from fchain.ops.array.reshape import reshape as _reshape
from fchain.ops.math.sin import sin as _sin
from fchain.ops.array.split_axis import split_axis as _split_axis
from fchain.ops.math.sqrt import sqrt as _sqrt
from fchain.ops.math.square import square as _square
from fchain.ops.array.squeeze import squeeze as _squeeze
from fchain.ops.array.stack import stack as _stack
from fchain.ops.math.sum import sum as _sum
from fchain.ops.activation.tanh import tanh as _tanh
from fchain.ops.array.tile import tile as _tile
from fchain.ops.array.transpose import transpose as _transpose
from fchain.ops.array.where import where as _where
from fchain.types import Array, ArrayOrScalar, Axis, DTypeLike, PadMode, Shape

__all__ = ["DIFF", "DiffNamespace"]


def _raw(x: object) -> Any:
    return x._data if isinstance(x, Variable) else x


def _out(x: object) -> Array:
    """What a member returns: an Array to the protocol, a Variable at run time."""
    return cast(Array, x)


def _xp(*xs: object) -> Any:
    for x in xs:
        r = _raw(x)
        if backend.is_cupy_array(r):
            return backend.namespace_of(r)
    return numpy


def _as_float_like(x: object, other: object) -> Any:
    """A constant non-float array (a boolean mask, say) in the dtype of the floating
    operand it multiplies, as numpy's promotion would have it; anything else as is."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or isinstance(x, Variable) or dtype.kind == "f":
        return x
    other_dtype = getattr(other, "dtype", None)
    if other_dtype is None or other_dtype.kind != "f":
        return x
    return _xp(x).asarray(x, dtype=other_dtype)


class DiffNamespace:
    """See the module docstring.  Results are typed ``Array`` to match the protocol;
    at run time they are Variables whenever an argument was one."""

    float16 = numpy.float16
    float32 = numpy.float32
    float64 = numpy.float64
    int32 = numpy.int32
    int64 = numpy.int64
    bool_ = numpy.bool_

    @staticmethod
    def as_variable(x: object) -> Any:
        if isinstance(x, Variable):
            return x
        return Variable(cast(Array, x), requires_grad=False)

    # -- elementwise, differentiable ---------------------------------------
    def add(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(x1 + x2)

    def subtract(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(x1 - x2)

    def multiply(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_as_float_like(x1, x2) * _as_float_like(x2, x1))

    def divide(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(x1 / x2)

    def negative(self, x: Array, /) -> Array:
        return _out(-x)

    def power(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(x1 ** x2)

    def absolute(self, x: Array, /) -> Array:
        return _out(_absolute(self.as_variable(x)))

    def exp(self, x: Array, /) -> Array:
        return _out(_exp(self.as_variable(x)))

    def expm1(self, x: Array, /) -> Array:
        """``exp(x) - 1`` differentiated, with ``expm1(x)``'s value: the rounding
        error of the subtraction is added back as a constant.  For small ``|x|``,
        ``exp(x) - 1`` alone keeps few correct digits (at ``x = 1e-10`` in float64,
        only seven), and the first-order values of a double-backprop pass would
        then differ from the plain pass's (softplus's, elu's, selu's backward)."""
        v = self.as_variable(x)
        approx = _exp(v) - 1.0
        raw = v._data
        correction = _xp(raw).expm1(raw) - approx._data
        return _out(approx + correction)

    def log(self, x: Array, /) -> Array:
        return _out(_log(self.as_variable(x)))

    def log1p(self, x: Array, /) -> Array:
        return _out(_log1p(self.as_variable(x)))

    def sqrt(self, x: Array, /) -> Array:
        return _out(_sqrt(self.as_variable(x)))

    def square(self, x: Array, /) -> Array:
        return _out(_square(self.as_variable(x)))

    def sin(self, x: Array, /) -> Array:
        return _out(_sin(self.as_variable(x)))

    def cos(self, x: Array, /) -> Array:
        return _out(_cos(self.as_variable(x)))

    def tan(self, x: Array, /) -> Array:
        v = self.as_variable(x)
        return _out(_sin(v) / _cos(v))

    def tanh(self, x: Array, /) -> Array:
        return _out(_tanh(self.as_variable(x)))

    def maximum(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_maximum(*self._pair(x1, x2)))

    def minimum(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_minimum(*self._pair(x1, x2)))

    def clip(self, a: Array, a_min: ArrayOrScalar, a_max: ArrayOrScalar, /) -> Array:
        return _out(_clip(self.as_variable(a), float(a_min), float(a_max)))

    def where(self, condition: Array, x: ArrayOrScalar, y: ArrayOrScalar, /) -> Array:
        # a comparison of 0-d arrays gives a numpy bool scalar: make it an array
        cond = _xp(condition, x, y).asarray(_raw(condition))
        xv, yv = self._pair(x, y)
        return _out(_where(cond, xv, yv))

    def _pair(self, x1: object, x2: object) -> tuple[Any, Any]:
        """Two operands as Variables of one dtype, Python scalars filled to shape."""
        r1, r2 = _raw(x1), _raw(x2)
        xp = _xp(x1, x2)
        if not hasattr(r1, "dtype"):
            x1 = xp.full_like(r2, r1)
        if not hasattr(r2, "dtype"):
            x2 = xp.full_like(_raw(x1), r2)
        return self.as_variable(x1), self.as_variable(x2)

    # -- no gradient ------------------------------------------------------
    def sign(self, x: Array, /) -> Array:
        return _out(_xp(x).sign(_raw(x)))

    def greater(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).greater(_raw(x1), _raw(x2)))

    def greater_equal(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).greater_equal(_raw(x1), _raw(x2)))

    def less(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).less(_raw(x1), _raw(x2)))

    def less_equal(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).less_equal(_raw(x1), _raw(x2)))

    def equal(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).equal(_raw(x1), _raw(x2)))

    def not_equal(self, x1: ArrayOrScalar, x2: ArrayOrScalar, /) -> Array:
        return _out(_xp(x1, x2).not_equal(_raw(x1), _raw(x2)))

    def logical_and(self, x1: Array, x2: Array, /) -> Array:
        return _out(_xp(x1, x2).logical_and(_raw(x1), _raw(x2)))

    def logical_not(self, x: Array, /) -> Array:
        return _out(_xp(x).logical_not(_raw(x)))

    def isfinite(self, x: Array, /) -> Array:
        return _out(_xp(x).isfinite(_raw(x)))

    def argmax(self, a: Array, /, axis: int) -> Array:
        return _out(_xp(a).argmax(_raw(a), axis=axis))

    def argmin(self, a: Array, /, axis: int) -> Array:
        return _out(_xp(a).argmin(_raw(a), axis=axis))

    def asarray(self, a: object, /, dtype: DTypeLike | None = None) -> Array:
        """A Variable given a dtype is cast differentiably (``F.cast``); anything else
        is a constant array."""
        if isinstance(a, Variable) and dtype is not None:
            return _out(_cast(a, dtype))
        return _out(_xp(a).asarray(_raw(a), dtype=dtype))

    def zeros(self, shape: Shape | int, /, dtype: DTypeLike | None = None) -> Array:
        return _out(numpy.zeros(shape, dtype=dtype))

    def ones(self, shape: Shape | int, /, dtype: DTypeLike | None = None) -> Array:
        return _out(numpy.ones(shape, dtype=dtype))

    def full(self, shape: Shape | int, /, fill_value: ArrayOrScalar,
             dtype: DTypeLike | None = None) -> Array:
        return _out(numpy.full(shape, _raw(fill_value), dtype=dtype))

    def zeros_like(self, a: Array, /, dtype: DTypeLike | None = None) -> Array:
        return _out(_xp(a).zeros_like(_raw(a), dtype=dtype))

    def ones_like(self, a: Array, /, dtype: DTypeLike | None = None) -> Array:
        return _out(_xp(a).ones_like(_raw(a), dtype=dtype))

    def full_like(self, a: Array, /, fill_value: ArrayOrScalar, dtype: DTypeLike | None = None) -> Array:
        return _out(_xp(a).full_like(_raw(a), _raw(fill_value), dtype=dtype))

    def empty_like(self, a: Array, /, dtype: DTypeLike | None = None) -> Array:
        return _out(_xp(a).empty_like(_raw(a), dtype=dtype))

    def arange(self, stop: int, /) -> Array:
        return _out(numpy.arange(stop))

    def eye(self, N: int, /, M: int | None = None, k: int = 0, dtype: DTypeLike = float) -> Array:
        return _out(numpy.eye(N, M, k, dtype=dtype))

    # -- reductions and shapes, differentiable ---------------------------------
    def sum(self, a: Array, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
        return _out(_sum(self.as_variable(a), axis=axis, keepdims=keepdims))

    def mean(self, a: Array, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
        return _out(_mean(self.as_variable(a), axis=axis, keepdims=keepdims))

    def max(self, a: Array, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
        return _out(_max(self.as_variable(a), axis=axis, keepdims=keepdims))

    def min(self, a: Array, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
        return _out(_min(self.as_variable(a), axis=axis, keepdims=keepdims))

    def reshape(self, a: Array, /, shape: Shape | int) -> Array:
        target = (shape,) if isinstance(shape, int) else tuple(shape)
        return _out(_reshape(self.as_variable(a), target))

    def transpose(self, a: Array, /, axes: Sequence[int] | None = None) -> Array:
        return _out(_transpose(self.as_variable(a), None if axes is None else tuple(axes)))

    def broadcast_to(self, array: Array, /, shape: Shape) -> Array:
        return _out(_broadcast_to(self.as_variable(array), tuple(shape)))

    def expand_dims(self, a: Array, /, axis: int | tuple[int, ...]) -> Array:
        return _out(_expand_dims(self.as_variable(a), axis))

    def squeeze(self, a: Array, /, axis: int | tuple[int, ...] | None = None) -> Array:
        return _out(_squeeze(self.as_variable(a), axis))

    def concatenate(self, arrays: Sequence[Array], /, axis: int = 0) -> Array:
        return _out(_concat([self.as_variable(a) for a in arrays], axis=axis))

    def stack(self, arrays: Sequence[Array], /, axis: int = 0) -> Array:
        return _out(_stack([self.as_variable(a) for a in arrays], axis=axis))

    def split(self, ary: Array, /, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Array]:
        parts = _split_axis(self.as_variable(ary), indices_or_sections, axis)
        return cast(list[Array], list(parts))

    def moveaxis(self, a: Array, /, source: int | Sequence[int], destination: int | Sequence[int]) -> Array:
        ndim = _raw(a).ndim
        src = [source] if isinstance(source, int) else list(source)
        dst = [destination] if isinstance(destination, int) else list(destination)
        src = [n % ndim for n in src]
        order = [n for n in range(ndim) if n not in src]
        for d, n in sorted(zip([d % ndim for d in dst], src)):
            order.insert(d, n)
        return self.transpose(a, order)

    def swapaxes(self, a: Array, /, axis1: int, axis2: int) -> Array:
        raw = _raw(a)
        order = list(range(raw.ndim))
        order[axis1], order[axis2] = order[axis2], order[axis1]
        return self.transpose(a, order)

    def tile(self, a: Array, /, reps: int | Sequence[int]) -> Array:
        return _out(_tile(self.as_variable(a), reps))

    def repeat(self, a: Array, /, repeats: int | Sequence[int], axis: int) -> Array:
        return _out(_repeat(self.as_variable(a), repeats, axis))

    def flip(self, m: Array, /, axis: Axis = None) -> Array:
        ndim = _raw(m).ndim
        if axis is None:
            axes = tuple(range(ndim))
        else:
            axes = tuple(sorted({a % ndim for a in ((axis,) if isinstance(axis, int) else axis)}))
        return _out(_flip_axes(self.as_variable(m), axes))

    def pad(self, array: Array, /, pad_width: Sequence[tuple[int, int]], mode: PadMode = "constant", *,
            constant_values: float = 0) -> Array:
        return _out(_pad(self.as_variable(array), pad_width, mode, constant_values=float(constant_values)))

    def matmul(self, x1: Array, x2: Array, /) -> Array:
        return _out(_matmul(self.as_variable(x1), self.as_variable(x2)))

    def dot(self, a: Array, b: Array, /) -> Array:
        return self.matmul(a, b)

    def tensordot(self, a: Array, b: Array, /,
                  axes: int | tuple[Sequence[int], Sequence[int]] = 2) -> Array:
        raise NotDoubleDifferentiableError("tensordot: no second-order rule")


DIFF = DiffNamespace()

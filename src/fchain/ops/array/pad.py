"""pad(x, pad_width, mode, *, constant_values=0, reflect_type='even'): x padded at the
edges of each axis, as ``numpy.pad``.

``mode`` is one of ``'constant'`` (filled with ``constant_values``), ``'edge'``,
``'reflect'``, ``'symmetric'`` and ``'wrap'``; ``pad_width`` an int, a pair
``(before, after)`` or one pair per axis.

VJP.  ``'constant'``: ``gy`` at x's place, ``gy[before:before + n, ...]``
(Chainer's rule; a basic slice, differentiable again as ``get_item``).  The other
modes copy elements of x into the padding, so each element's gradient also sums
the gradients of its copies: ``gy`` is scattered back through the index that
``numpy.pad`` of ``arange(x.size)`` gives (``_scatter.py``, recorded as
``get_item_grad`` under double backprop).  Chainer 7 slices in every mode, which
drops the gradient of the copies: fchain's gradient differs from Chainer's there
on purpose (documented in the golden test).  The modes whose padding is not a copy
(``'mean'``, ``'linear_ramp'``, ..., and ``reflect_type='odd'``) are refused.
Residuals: none.  The second-order namespace's ``pad`` is this op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast, get_args

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, describe, is_integer, name_arrays, real_arg
from fchain.ops.array._scatter import scatter_flat, scatter_flat_recorded
from fchain.types import Array, ArrayNamespace, PadMode, Shape

__all__ = ["PAD", "PadParams", "pad"]

_MODES: tuple[str, ...] = get_args(PadMode)


@dataclass(frozen=True, slots=True, eq=False)
class PadParams:
    """``widths``: ``(before, after)`` per axis; ``inner``: where x sits in the
    output; ``positions`` (modes other than ``'constant'``): the flat position in x
    of every output element, raveled."""

    widths: tuple[tuple[int, int], ...]
    mode: PadMode
    constant_values: float
    in_shape: Shape
    inner: tuple[slice, ...]
    positions: Array | None


def _forward(xp: ArrayNamespace, inputs: Inputs, p: PadParams) -> Forwarded:
    if p.mode == "constant":
        return (xp.pad(inputs[0], p.widths, "constant", constant_values=p.constant_values),), ()
    return (xp.pad(inputs[0], p.widths, p.mode),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: PadParams) -> Grads:
    gy = grads[0]
    if p.positions is None:
        return (gy[p.inner],)
    return (xp.reshape(scatter_flat(xp, gy, p.positions, _size(p.in_shape)), p.in_shape),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: PadParams) -> Grads:
    """Second order: the scatter of the copying modes is the op ``get_item_grad``."""
    gy = grads[0]
    if p.positions is None:
        return (gy[p.inner],)
    return (xp.reshape(scatter_flat_recorded(xp, gy, p.positions, _size(p.in_shape)), p.in_shape),)


def _size(shape: Shape) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def _sample(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1, max_dims=3, max_side=3)
    mode: PadMode = draw.choice(get_args(PadMode))
    widths = tuple((draw.integer(0, 3), draw.integer(0, 3)) for _ in shape)
    form = draw.choice(["pairs", "pair", "int"])
    width: int | tuple[int, int] | tuple[tuple[int, int], ...] = (
        widths if form == "pairs" else widths[0] if form == "pair" else widths[0][0])
    value = draw.choice([0.0, 1.5])
    return Case((draw.floats(shape),), lambda x: pad(x, width, mode, constant_values=value))


PAD: OpDef[PadParams] = register(OpDef(
    "pad", _forward, _vjp, GradSpec(_sample), broadcasts=False, second_order_vjp=_vjp_recorded))


def _widths(value: object, ndim: int) -> tuple[tuple[int, int], ...]:
    """``pad_width`` as one ``(before, after)`` pair of non-negative ints per axis."""
    wrong = TypeError("pad: pad_width must be an int, a pair (before, after) or one pair per axis, "
                      f"got {describe(value)}")
    if is_integer(value):
        n = int(cast(int, value))
        pairs: list[tuple[int, int]] = [(n, n)] * ndim
    elif isinstance(value, (tuple, list)):
        items = list(value)
        if items and all(is_integer(v) for v in items) and len(items) in (1, 2):
            pair = (int(items[0]), int(items[-1]))
            pairs = [pair] * ndim
        elif items and all(isinstance(v, (tuple, list)) and len(v) in (1, 2) and all(is_integer(n) for n in v)
                           for v in items):
            given = [(int(v[0]), int(v[-1])) for v in items]
            if len(given) == 1:
                given = given * ndim
            if len(given) != ndim:
                raise ShapeError(f"pad: pad_width has {len(given)} pairs but x has {ndim} dimensions")
            pairs = given
        else:
            raise wrong
    else:
        raise wrong
    if any(n < 0 for pair in pairs for n in pair):
        raise ValueError(f"pad: pad_width must not be negative, got {value!r}")
    return tuple(pairs)


def pad(x: VariableLike, pad_width: int | Sequence[int] | Sequence[Sequence[int]], mode: PadMode, *,
        constant_values: float = 0.0, reflect_type: str = "even") -> Variable:
    """Pad ``x`` with ``pad_width`` elements at the edges of each axis, filled as
    ``numpy.pad`` fills them in ``mode``.

    ``constant_values``: the fill value of ``mode='constant'``.  ``reflect_type``:
    only ``'even'`` (numpy's default) is supported.
    """
    try:
        data = as_array(x)
    except TypeError:
        name_arrays("pad", ("x", x))
        raise
    shape = tuple(data.shape)
    if mode not in _MODES:
        raise ValueError(
            f"pad: mode must be one of {', '.join(repr(m) for m in _MODES)}, got {mode!r} (the other modes of "
            "numpy.pad fill the padding with statistics of x, whose gradient fchain does not provide)")
    if reflect_type != "even":
        raise ValueError(f"pad: reflect_type must be 'even' (the only one fchain differentiates), got {reflect_type!r}")
    value = constant_values if type(constant_values) is float else real_arg("pad", "constant_values", constant_values)
    widths = _widths(pad_width, len(shape))
    inner = tuple(slice(before, before + n) for (before, _), n in zip(widths, shape))
    positions: Array | None = None
    if mode != "constant":
        xp = backend.namespace_of(data)
        try:
            source = xp.pad(xp.reshape(xp.arange(_size(shape)), shape), widths, mode)
        except ValueError as error:
            raise ShapeError(f"pad: {error} (x has shape {shape}, pad_width {widths}, mode {mode!r})") from None
        positions = xp.reshape(source, (-1,))
    return apply(PAD, (x,), PadParams(widths, mode, value, shape, inner, positions))



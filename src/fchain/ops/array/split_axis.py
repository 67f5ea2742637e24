"""split_axis(x, indices_or_sections, axis, force_tuple=True): x cut into pieces along ``axis``.

An int ``indices_or_sections`` cuts into that many equal pieces (it must divide the
axis); a sequence of ints gives the cut positions, as ``numpy.split``.  A multi-output
op: an output that takes no part in the loss gets a zero gradient.
VJP: the output gradients concatenated along ``axis``.  Residuals: ``(x,)``, kept only
so the zero gradients of unused outputs are made on x's device.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, SupportsIndex, TypeAlias, cast, overload

from fchain.core.op import MultiOutputOp
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, shape_of
from fchain.types import Array, ArrayNamespace

__all__ = ["SPLIT_AXIS", "Sections", "SplitAxisParams", "split_axis"]

Sections: TypeAlias = SupportsIndex | Sequence[SupportsIndex] | Array
"""A section count, or the positions to cut at (a sequence or a 1-d integer array)."""


@dataclass(frozen=True, slots=True)
class SplitAxisParams:
    indices_or_sections: int | tuple[int, ...]
    axis: int


def _forward(xp: ArrayNamespace, inputs: Inputs, p: SplitAxisParams) -> Forwarded:
    x = inputs[0]
    return tuple(xp.split(x, p.indices_or_sections, axis=p.axis)), (x,)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: SplitAxisParams) -> Grads:
    return (xp.concatenate(grads, axis=p.axis),)


def _sample(draw: Draw) -> Case:
    shape = list(draw.shape(min_dims=1))
    axis = draw.integer(-len(shape), len(shape) - 1)
    ios: int | list[int]
    if draw.boolean():
        ios = draw.integer(1, 3)
        shape[axis] = ios * draw.integer(1, 2)
    else:
        shape[axis] = draw.integer(2, 5)
        ios = sorted({draw.integer(1, shape[axis] - 1) for _ in range(draw.integer(1, 3))})
    only_first = draw.boolean()  # the other outputs then get zero gradients

    def call(x: Variable) -> Variable | tuple[Variable, ...]:
        ys = split_axis(x, ios, axis)
        return ys[0] if only_first else ys

    return Case((draw.floats(tuple(shape)),), call)


SPLIT_AXIS: MultiOutputOp[SplitAxisParams] = register(
    MultiOutputOp("split_axis", _forward, _vjp, GradSpec(_sample), float_inputs=()))


@overload
def split_axis(x: VariableLike, indices_or_sections: Sections, axis: int,
               force_tuple: Literal[True] = True) -> tuple[Variable, ...]: ...
@overload
def split_axis(x: VariableLike, indices_or_sections: Sections, axis: int,
               force_tuple: bool) -> Variable | tuple[Variable, ...]: ...


def split_axis(x: VariableLike, indices_or_sections: Sections, axis: int,
               force_tuple: bool = True) -> Variable | tuple[Variable, ...]:
    """Split ``x`` along ``axis`` into equal sections, or at the given indices.

    Returns a tuple of Variables; with ``force_tuple=False`` a single piece comes back
    as a Variable rather than a 1-tuple.
    """
    shape = shape_of(x, "split_axis")
    ndim = len(shape)
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise TypeError(f"split_axis: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"split_axis: axis {axis} is out of range for x of shape {shape} ({ndim} dimensions)")
    axis %= ndim
    ios: int | tuple[int, ...]
    wrong = TypeError("split_axis: indices_or_sections must be an int or a sequence of ints, "
                      f"got {indices_or_sections!r}")
    if isinstance(indices_or_sections, bool):
        raise wrong
    given: object = indices_or_sections
    if isinstance(given, (list, tuple)) or int(getattr(given, "ndim", 0)) > 0:
        try:
            ios = tuple(operator.index(i) for i in cast(Iterable[SupportsIndex], given))
        except TypeError:
            raise wrong from None
    else:
        try:
            ios = operator.index(cast(SupportsIndex, given))  # an int, a numpy integer, a 0-d array
        except TypeError:
            raise wrong from None
        if ios <= 0 or shape[axis] % ios:
            raise ShapeError(
                f"split_axis: indices_or_sections={ios} sections do not divide axis {axis} of x, "
                f"whose length is {shape[axis]} (x has shape {shape})")
    if type(force_tuple) is not bool:
        force_tuple = bool_arg("split_axis", "force_tuple", force_tuple)
    ys = apply(SPLIT_AXIS, (x,), SplitAxisParams(ios, axis))
    if not force_tuple and len(ys) == 1:
        return ys[0]
    return ys

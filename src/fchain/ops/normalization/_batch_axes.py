"""How ``x`` and ``gamma`` line up in (fixed) batch normalization.

Chainer's rule: the statistics are taken over ``axis``; by default that is axis 0
and every axis after the ``gamma.ndim`` axes that follow it, so ``gamma`` (and
``beta``, the mean and the variance) has the shape of the axes that are kept, in
order.  ``batch_axes`` resolves and checks this once per combination of shapes
(a handful in most programs) and keeps the answer, in a bounded cache.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from fchain.core.spec import Draw
from fchain.errors import ShapeError
from fchain.ops._common import describe, is_integer
from fchain.types import Shape

__all__ = ["BatchAxes", "batch_axes", "draw_batch_axes", "warn_if_single"]


@dataclass(frozen=True, slots=True)
class BatchAxes:
    """``axis``: the axes of ``x`` the statistics reduce, ascending.  ``bshape``:
    ``gamma``'s shape with a 1 inserted at each of them (``gamma`` reshaped to it
    broadcasts against ``x``).  ``gshape``: ``gamma``'s shape.  ``m``: how many
    values each statistic is taken over.  ``single``: every reduced axis has
    length 1 (the output is then all ``beta``; Chainer warns)."""

    axis: tuple[int, ...]
    bshape: Shape
    gshape: Shape
    m: int
    single: bool


_CACHE: dict[tuple[Shape, Shape, tuple[int, ...] | None], BatchAxes] = {}
_CACHE_SIZE = 256  # a program with varying shapes starts again rather than growing it for ever


def _axis_tuple(fname: str, axis: object, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a tuple of non-negative ints in the order given."""
    if axis is None:
        return None
    items: tuple[object, ...]
    if is_integer(axis):
        items = (axis,)
    elif isinstance(axis, (tuple, list)):
        items = tuple(axis)
    else:
        raise TypeError(f"{fname}: axis must be None, an int or a tuple of ints, got {describe(axis)}")
    out = []
    for a in items:
        if not is_integer(a):
            raise TypeError(f"{fname}: axis must be None, an int or a tuple of ints, got {describe(axis)}")
        k = int(a)  # type: ignore[call-overload]  # an int or a numpy integer, checked above
        if not -ndim <= k < ndim:
            raise ValueError(f"{fname}: axis {k} is out of range for x with {ndim} dimensions")
        out.append(k % ndim)
    if any(a >= b for a, b in zip(out, out[1:])):
        raise ValueError(f"{fname}: the axes in axis must be distinct and in ascending order, got {axis!r}")
    return tuple(out)


def batch_axes(fname: str, x_shape: Shape, gamma_shape: Shape, axis: object) -> BatchAxes:
    """The reduced axes and broadcast shape for ``x`` and ``gamma``; a
    ``ShapeError`` naming ``fname`` when ``gamma`` does not fit ``x``."""
    ndim = len(x_shape)
    given = _axis_tuple(fname, axis, ndim)
    key = (x_shape, gamma_shape, given)
    found = _CACHE.get(key)
    if found is not None:
        return found
    reduced = given if given is not None else (0,) + tuple(range(len(gamma_shape) + 1, ndim))
    kept = tuple(i for i in range(ndim) if i not in reduced)
    expected = tuple(x_shape[i] for i in kept)
    if ndim == 0 or expected != tuple(gamma_shape):
        raise ShapeError(
            f"{fname}: gamma has shape {tuple(gamma_shape)} but x has shape {tuple(x_shape)}; "
            f"normalizing over axis {reduced}, gamma must have shape {expected} (the kept axes of x)")
    m = 1
    for i in reduced:
        m *= x_shape[i]
    bshape = tuple(x_shape[i] if i in kept else 1 for i in range(ndim))
    found = BatchAxes(reduced, bshape, tuple(gamma_shape), m, all(x_shape[i] == 1 for i in reduced))
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = found
    return found


def warn_if_single(fname: str, axes: BatchAxes) -> None:
    """Warn, as Chainer does, when every statistic is taken over one value: the
    normalized values are then all zero and the output is ``beta`` everywhere,
    usually a sign of evaluation run with ``config.train`` True or of a last,
    one-sample batch."""
    if axes.single:
        what = "a batch of one sample" if 0 in axes.axis else "x with length 1 along every reduced axis"
        warnings.warn(
            f"{fname}: got {what} (axis {axes.axis}): each mean and variance is taken over one value, "
            "so the output is beta everywhere; is config.train True while evaluating?",
            UserWarning, stacklevel=3)


def draw_batch_axes(draw: Draw) -> tuple[Shape, Shape, int | tuple[int, ...] | None]:
    """For the gradient specs: ``(x_shape, gamma_shape, axis)``, with ``axis`` None
    (gamma of 1 to ndim - 1 axes) or any non-empty proper subset of x's axes
    (channels last included), given as an int or a tuple, and at least two values
    per statistic."""
    ndim = draw.integer(2, 4)
    shape = draw.shape(ndim, ndim, 1, 3)
    axis: int | tuple[int, ...] | None
    if draw.boolean():
        reduced = tuple(i for i in range(ndim) if draw.boolean()) or (0,)
        if len(reduced) == ndim:
            reduced = reduced[:-1]
        axis = reduced[0] if len(reduced) == 1 and draw.boolean() else reduced
    else:
        reduced = (0,) + tuple(range(draw.integer(1, ndim - 1) + 1, ndim))
        axis = None
    m = 1
    for i in reduced:
        m *= shape[i]
    if m < 2:
        shape = tuple(n + 1 if i == reduced[0] else n for i, n in enumerate(shape))
    return shape, tuple(n for i, n in enumerate(shape) if i not in reduced), axis

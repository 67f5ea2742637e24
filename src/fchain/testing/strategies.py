"""Hypothesis strategies for testing code built on fchain.

This module needs hypothesis (``pip install fchain[testing]``); nothing else in
``fchain.testing`` imports it at import time.  Each strategy says what it avoids
and why: a gradient check differentiates numerically, so a drawn input that sits
on a kink, a tie, a singular matrix or a probability of 0 makes a correct rule
fail (or a wrong one pass), and a property test that fails for such reasons is
noise.

Arrays:

* ``float_arrays(dtype, shape, low, high, kinks=(), margin=..., min_gap=0)``:
  finite floats of ``dtype`` in ``[low, high]``, none within ``margin`` of a kink
  (``relu``'s 0, ``clip``'s bounds) and, with ``min_gap``, no two closer than it
  (``max``, ``sort``: a tie makes the gradient's owner ambiguous).  No NaN, no
  infinity, no subnormals (which only slow the arithmetic).  ``shape`` may be a
  tuple or a strategy of shapes (by default ``shapes()``).
* ``shapes(min_dims, max_dims, min_side, max_side)``: small shapes (sides from 1,
  so no empty arrays unless asked).
* ``broadcastable_shape_pairs(...)``: two shapes that broadcast together, one of
  them possibly of lower rank or with sides of 1 (where un-broadcasting sums).
* ``well_conditioned_matrices(rows, cols, dtype, max_condition)``: matrices whose
  singular values lie in ``[1, max_condition]``: far from singular, so solving or
  inverting does not amplify rounding into a false alarm.
* ``probabilities(shape, dtype, min_probability)``: rows (along the last axis)
  summing to 1 with every entry at least ``min_probability``: ``log(p)`` and its
  gradient ``1 / p`` stay finite and moderate.
* ``labels(n_classes, shape, ignore_label, dtype)``: integer class labels in
  ``[0, n_classes)``, some equal to ``ignore_label`` when one is given (never all
  of them, so a mean over the valid ones is defined).

fchain objects:

* ``variables(...)``: Variables over ``float_arrays``.
* ``linear_links(in_size, out_size, dtype)``: ``L.Linear`` with drawn sizes and
  weights of scale ``1 / sqrt(in_size)`` (outputs of order 1).
* ``mlps(in_size, n_layers, dtype)``: small ``Sequential`` MLPs of ``L.Linear``
  and ``tanh``: smooth activations, so a gradient check never meets the kink of a
  ReLU, and small weights, so ``tanh`` does not saturate (a saturated unit has a
  gradient near 0 that hides errors).
* ``op_cases(op)``: the test cases an op's own ``GradSpec`` draws.

Array values come from hypothesis itself, so failures shrink toward small,
simple values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fchain.core.op import AnyOp
from fchain.core.spec import Case
from fchain.facade.sequential import Layer, Sequential
from fchain.graph.variable import Variable
from fchain.initializers import Constant
from fchain.links.connection.linear import Linear
from fchain.ops.activation.tanh import tanh
from fchain.testing.draws import HypothesisDraw
from fchain.types import Array, DTypeLike, Shape

__all__ = [
    "broadcastable_shape_pairs",
    "float_arrays",
    "labels",
    "linear_links",
    "mlps",
    "op_cases",
    "probabilities",
    "shapes",
    "variables",
    "well_conditioned_matrices",
]

T = TypeVar("T")
ShapeArg = Shape | st.SearchStrategy[Shape] | None


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[Shape]:
    """Shapes of ``min_dims`` to ``max_dims`` axes, each of ``min_side`` to ``max_side``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def _shape_strategy(shape: ShapeArg) -> st.SearchStrategy[Shape]:
    if shape is None:
        return shapes()
    if isinstance(shape, tuple):
        return st.just(shape)
    return shape


def _float_width(dtype: numpy.dtype[Any]) -> int:
    if dtype.kind != "f":
        raise ValueError(f"expected a floating dtype, got {dtype}")
    return 8 * dtype.itemsize


def _elements(dtype: numpy.dtype[Any], low: float, high: float, kinks: Sequence[float],
              margin: float) -> st.SearchStrategy[float]:
    width = _float_width(dtype)
    values = st.floats(low, high, width=width, allow_nan=False, allow_infinity=False,  # type: ignore[arg-type]  # width is 16, 32 or 64
                       allow_subnormal=False)
    if not kinks:
        return values
    return values.filter(lambda v: all(abs(v - k) >= margin for k in kinks))


def float_arrays(dtype: DTypeLike = numpy.float32, shape: ShapeArg = None, low: float = -1.0,
                 high: float = 1.0, kinks: Sequence[float] = (), margin: float = 0.05,
                 min_gap: float = 0.0) -> st.SearchStrategy[Array]:
    """Float arrays as the module docstring describes.

    With ``min_gap > 0`` the values are drawn as distinct multiples of ``min_gap``
    in ``[low, high]`` (so the range must hold at least as many multiples as the
    array has elements) and then moved away from the kinks; a kink closer than
    ``margin`` to one of them fails the draw (``margin`` below ``min_gap / 2``
    always leaves room)."""
    dt = numpy.dtype(dtype)
    _float_width(dt)
    if not low < high:
        raise ValueError(f"float_arrays: need low < high, got [{low}, {high}]")
    if min_gap <= 0:
        return hnp.arrays(dt, _shape_strategy(shape), elements=_elements(dt, low, high, kinks, margin))
    first, last = math.ceil(low / min_gap), math.floor(high / min_gap)

    @st.composite
    def spread(draw: st.DrawFn) -> Array:
        shp = draw(_shape_strategy(shape))
        size = int(numpy.prod(shp)) if shp else 1
        if last - first + 1 < size:
            raise ValueError(f"float_arrays: [{low}, {high}] holds {last - first + 1} multiples of "
                             f"min_gap={min_gap}, fewer than the {size} elements of shape {shp}")
        steps = draw(hnp.arrays(numpy.int64, shp, elements=st.integers(first, last), unique=True))
        values = steps.astype(numpy.float64) * min_gap
        if any(bool((numpy.abs(values - k) < margin).any()) for k in kinks):
            draw(st.nothing())  # reject: a value landed near a kink
        return values.astype(dt)

    return spread()


def broadcastable_shape_pairs(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                              max_side: int = 4) -> st.SearchStrategy[tuple[Shape, Shape]]:
    """Two shapes that broadcast together (as ``x * y`` needs)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(
        lambda b: (tuple(b.input_shapes[0]), tuple(b.input_shapes[1])))


def _orthogonal(rng: numpy.random.Generator, n: int) -> Array:
    q, r = numpy.linalg.qr(rng.standard_normal((n, n)))
    signs = numpy.where(numpy.diag(r) < 0, -1.0, 1.0)
    result: Array = q * signs
    return result


def well_conditioned_matrices(rows: int | st.SearchStrategy[int] = st.integers(1, 4),
                              cols: int | st.SearchStrategy[int] | None = None,
                              dtype: DTypeLike = numpy.float32,
                              max_condition: float = 10.0) -> st.SearchStrategy[Array]:
    """``U diag(s) V^T`` with ``s`` in ``[1, max_condition]`` and random orthogonal
    ``U``, ``V``: condition number at most ``max_condition``.  ``cols=None`` gives
    square matrices."""
    if max_condition < 1:
        raise ValueError(f"well_conditioned_matrices: max_condition must be at least 1, got {max_condition}")
    dt = numpy.dtype(dtype)
    _float_width(dt)

    @st.composite
    def build(draw: st.DrawFn) -> Array:
        n = rows if isinstance(rows, int) else draw(rows)
        m = n if cols is None else cols if isinstance(cols, int) else draw(cols)
        k = min(n, m)
        s = numpy.asarray(draw(st.lists(st.floats(1.0, max_condition), min_size=k, max_size=k)))
        rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        u, v = _orthogonal(rng, n)[:, :k], _orthogonal(rng, m)[:, :k]
        matrix: Array = ((u * s) @ v.T).astype(dt)
        return matrix

    return build()


def probabilities(shape: ShapeArg = None, dtype: DTypeLike = numpy.float32,
                  min_probability: float = 1e-3) -> st.SearchStrategy[Array]:
    """Probability vectors along the last axis (see the module docstring)."""
    dt = numpy.dtype(dtype)
    _float_width(dt)

    @st.composite
    def build(draw: st.DrawFn) -> Array:
        shp = draw(_shape_strategy(shape).filter(lambda s: len(s) >= 1))
        k = shp[-1]
        if k * min_probability >= 1:
            raise ValueError(f"probabilities: {k} classes cannot each have {min_probability}")
        w = draw(hnp.arrays(numpy.float64, shp, elements=st.floats(0.0, 1.0)))
        total = w.sum(axis=-1, keepdims=True)
        share = numpy.where(total > 0, w / numpy.where(total > 0, total, 1.0), 1.0 / k)
        p = min_probability + (1.0 - k * min_probability) * share
        result: Array = (p / p.sum(axis=-1, keepdims=True)).astype(dt)
        return result

    return build()


def labels(n_classes: int, shape: ShapeArg = None, ignore_label: int | None = None,
           dtype: DTypeLike = numpy.int32) -> st.SearchStrategy[Array]:
    """Integer labels in ``[0, n_classes)``, some ``ignore_label`` when given."""
    if n_classes < 1:
        raise ValueError(f"labels: n_classes must be positive, got {n_classes}")
    values = st.integers(0, n_classes - 1)
    if ignore_label is not None:
        values = st.one_of(values, st.just(ignore_label))
    arrays = hnp.arrays(numpy.dtype(dtype), _shape_strategy(shape), elements=values)
    if ignore_label is None:
        return arrays
    return arrays.filter(lambda t: t.size == 0 or bool((t != ignore_label).any()))


def variables(dtype: DTypeLike = numpy.float32, shape: ShapeArg = None, low: float = -1.0, high: float = 1.0,
              kinks: Sequence[float] = (), margin: float = 0.05, min_gap: float = 0.0,
              requires_grad: bool = True) -> st.SearchStrategy[Variable]:
    """Variables over ``float_arrays`` with the same arguments."""
    return float_arrays(dtype, shape, low, high, kinks, margin, min_gap).map(
        lambda a: Variable(a, requires_grad=requires_grad))


def _sizes(value: int | st.SearchStrategy[int] | None) -> st.SearchStrategy[int]:
    if value is None:
        return st.integers(1, 5)
    return st.just(value) if isinstance(value, int) else value


def linear_links(in_size: int | st.SearchStrategy[int] | None = None,
                 out_size: int | st.SearchStrategy[int] | None = None,
                 dtype: DTypeLike = numpy.float32, nobias: bool | None = False) -> st.SearchStrategy[Linear]:
    """``L.Linear`` links of ``dtype`` with drawn sizes (1 to 5 unless given),
    weights in ``+-1 / sqrt(in_size)`` and biases in ``+-0.5`` (``nobias=None``
    draws whether there is one)."""
    dt = numpy.dtype(dtype)

    @st.composite
    def build(draw: st.DrawFn) -> Linear:
        n_in, n_out = draw(_sizes(in_size)), draw(_sizes(out_size))
        scale = 1.0 / math.sqrt(n_in)
        w = draw(float_arrays(dt, (n_out, n_in), -scale, scale))
        no_b = draw(st.booleans()) if nobias is None else nobias
        b = None if no_b else Constant(draw(float_arrays(dt, (n_out,), -0.5, 0.5)), dtype=dt)
        return Linear(n_in, n_out, nobias=no_b, initialW=Constant(w, dtype=dt), initial_bias=b)

    return build()


def mlps(in_size: int | st.SearchStrategy[int] | None = None, n_layers: int | st.SearchStrategy[int] = st.integers(1, 3),
         dtype: DTypeLike = numpy.float32) -> st.SearchStrategy[Sequential]:
    """Small MLPs: ``Sequential(Linear, tanh, Linear, tanh, ..., Linear)`` with
    ``n_layers`` linear layers of 1 to 5 units (see the module docstring)."""

    @st.composite
    def build(draw: st.DrawFn) -> Sequential:
        depth = n_layers if isinstance(n_layers, int) else draw(n_layers)
        size = draw(_sizes(in_size))
        layers: list[Layer] = []
        for i in range(depth):
            link = draw(linear_links(size, None, dtype))
            layers.append(link)
            if i < depth - 1:
                layers.append(tanh)
            size = link.out_size
        return Sequential(*layers)

    return build()


class _Adapter:
    """What ``HypothesisDraw`` needs (``.draw``) from a composite's draw function."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def draw(self, strategy: st.SearchStrategy[T], label: object = None) -> T:
        return self._draw(strategy)


def op_cases(op: AnyOp) -> st.SearchStrategy[tuple[Case, numpy.random.Generator]]:
    """Test cases of ``op`` drawn by its own spec, with the numpy Generator behind
    their arrays (for the output gradients and directions a check needs)."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Case, numpy.random.Generator]:
        source = HypothesisDraw(_Adapter(draw))
        return op.spec.sample(source), source.rng

    return build()

"""Each strategy of ``fchain.testing.strategies`` keeps the promise its docstring
makes (checked over the examples hypothesis draws)."""

from __future__ import annotations

import math

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fchain
from fchain import Sequential
from fchain.core.registry import get_op
from fchain.core.spec import Case
from fchain.links import Linear
from fchain.testing import check_backward
from fchain.testing import strategies as fst
from fchain.types import Array

QUICK = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(fst.float_arrays(numpy.float32, low=-2, high=2, kinks=(0.0, 1.0), margin=0.1))
def test_float_arrays_stay_in_range_and_away_from_kinks(x: Array) -> None:
    assert x.dtype == numpy.float32 and 0 <= x.ndim <= 3
    assert bool(numpy.isfinite(x).all()) and bool((numpy.abs(x) <= 2).all())
    assert bool((numpy.abs(x) >= 0.1).all()) and bool((numpy.abs(x - 1) >= 0.1).all())


@QUICK
@given(fst.float_arrays(numpy.float64, (4, 5), low=-3, high=3, min_gap=0.1))
def test_float_arrays_without_ties(x: Array) -> None:
    assert x.shape == (4, 5)
    values = numpy.sort(x.ravel())
    assert bool((numpy.diff(values) >= 0.1 - 1e-12).all())


def test_float_arrays_refuse_impossible_requests() -> None:
    with pytest.raises(ValueError, match="low < high"):
        fst.float_arrays(low=1, high=0)
    with pytest.raises(ValueError, match="floating"):
        fst.float_arrays(numpy.int32)

    @given(fst.float_arrays(numpy.float64, (30,), low=0, high=1, min_gap=0.1))
    def too_many(x: Array) -> None:
        pass
    with pytest.raises(ValueError, match="fewer than the 30 elements"):
        too_many()


@QUICK
@given(fst.broadcastable_shape_pairs())
def test_broadcastable_shape_pairs_broadcast(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    numpy.broadcast_shapes(*pair)


@QUICK
@given(fst.well_conditioned_matrices(st.integers(1, 5), st.integers(1, 5), numpy.float64, max_condition=5.0))
def test_well_conditioned_matrices(m: Array) -> None:
    s = numpy.linalg.svd(m, compute_uv=False)
    assert bool((s >= 1 - 1e-9).all()) and bool((s <= 5 + 1e-9).all())


@QUICK
@given(fst.probabilities((3, 4), numpy.float64, min_probability=0.01))
def test_probabilities(p: Array) -> None:
    assert p.shape == (3, 4)
    numpy.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    assert bool((p >= 0.01 - 1e-12).all())


@QUICK
@given(fst.labels(5, (6,), ignore_label=-1))
def test_labels(t: Array) -> None:
    assert t.dtype == numpy.int32 and t.shape == (6,)
    assert bool(((t >= 0) & (t < 5) | (t == -1)).all()) and bool((t != -1).any())


@QUICK
@given(fst.variables(numpy.float64, (2, 3), requires_grad=False))
def test_variables(v: fchain.Variable) -> None:
    assert v.shape == (2, 3) and v.dtype == numpy.float64 and not v.requires_grad


@QUICK
@given(fst.linear_links(3, None, numpy.float64, nobias=None))
def test_linear_links(link: Linear) -> None:
    assert link.W.array is not None and link.W.array.dtype == numpy.float64
    assert link.W.shape[1] == 3 and float(abs(link.W.array).max()) <= 1.0 / math.sqrt(3)
    assert link.b is None or (link.b.array is not None and link.b.array.dtype == numpy.float64)


@QUICK
@given(fst.mlps(in_size=2, dtype=numpy.float64), fst.float_arrays(numpy.float64, (3, 2)))
def test_mlps_run_and_their_gradients_check(model: Sequential, x: Array) -> None:
    y = model(x)
    assert y.dtype == numpy.float64 and y.shape[0] == 3
    # eps=1e-5: the central difference's truncation error, eps**2 / 6 times a third
    # derivative of order one, stays below rtol (with the default eps=1e-3, it
    # reached 1.8e-7 on a drawn model: a false alarm)
    check_backward(lambda v: fchain.functions.sum(model(v)), (x,), None, params=list(model.params()),
                   eps=1e-5, rtol=1e-6, atol=1e-8, rng=numpy.random.default_rng(0))


@QUICK
@given(fst.op_cases(get_op("mul")))
def test_op_cases_draw_the_ops_own_cases(drawn: tuple[Case, numpy.random.Generator]) -> None:
    case, rng = drawn
    x, y = case.inputs
    numpy.broadcast_shapes(x.shape, y.shape)
    assert isinstance(rng, numpy.random.Generator)

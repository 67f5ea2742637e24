"""The normalization functions against float64 formulas written here, their
in-place running statistics, dtypes and their argument errors.

Gradients are checked by the registry's property test and Chainer's numbers by
``test_chainer_golden_normalization.py``; this file pins down the semantics around
them: which axes are reduced, what is updated in place and when, what is rejected
and how the message reads.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, NotDoubleDifferentiableError, ShapeError
from fchain.types import Array

RNG = numpy.random.default_rng(12)


def bad(value: object) -> Any:
    """A value of the wrong type, hidden from mypy: the mistake under test."""
    return value


def _bn_reference(x: Array, gamma: Array, beta: Array, eps: float, axis: tuple[int, ...]) -> Array:
    """Batch normalization in float64 with numpy's own mean and var."""
    x64 = x.astype(numpy.float64)
    mean = x64.mean(axis=axis, keepdims=True)
    var = x64.var(axis=axis, keepdims=True)
    shape = tuple(1 if i in axis else n for i, n in enumerate(x.shape))
    out: Array = (x64 - mean) / numpy.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)
    return out


# --- batch_normalization ----------------------------------------------------------

@pytest.mark.parametrize(("x_shape", "g_shape", "axis", "reduced"), [
    ((6, 4), (4,), None, (0,)),
    ((5, 3, 4, 4), (3,), None, (0, 2, 3)),
    ((3, 4, 2, 5), (4, 2), None, (0, 3)),
    ((4, 3, 5), (5,), (0, 1), (0, 1)),
    ((4, 3, 5), (5,), (-3, -2), (0, 1)),
    ((7, 3), (3,), 0, (0,)),
    ((2, 3, 4), (2, 4), 1, (1,)),
])
def test_batch_normalization_reduces_chainers_axes(x_shape: tuple[int, ...], g_shape: tuple[int, ...],
                                                   axis: Any, reduced: tuple[int, ...]) -> None:
    x = RNG.standard_normal(x_shape) * 2 + 1
    gamma, beta = RNG.uniform(0.5, 1.5, g_shape), RNG.standard_normal(g_shape)
    y = F.batch_normalization(x, gamma, beta, eps=1e-3, axis=axis)
    numpy.testing.assert_allclose(y.array, _bn_reference(x, gamma, beta, 1e-3, reduced), rtol=1e-12, atol=1e-12)


def test_batch_normalization_updates_running_statistics_in_place() -> None:
    x = RNG.standard_normal((5, 3, 2, 2))
    gamma, beta = numpy.ones(3), numpy.zeros(3)
    mean0, var0 = RNG.standard_normal(3), RNG.uniform(0.5, 2.0, 3)
    running_mean, running_var = mean0.copy(), var0.copy()
    ids = id(running_mean), id(running_var)
    F.batch_normalization(x, gamma, beta, running_mean=running_mean, running_var=running_var, decay=0.7)
    m = 5 * 2 * 2
    assert (id(running_mean), id(running_var)) == ids
    numpy.testing.assert_allclose(running_mean, 0.7 * mean0 + 0.3 * x.mean(axis=(0, 2, 3)), rtol=1e-13)
    numpy.testing.assert_allclose(running_var, 0.7 * var0 + 0.3 * x.var(axis=(0, 2, 3)) * m / (m - 1),
                                  rtol=1e-13)


def test_batch_normalization_updates_statistics_without_a_graph_too() -> None:
    """The update is part of the forward pass, as in Chainer: no_backprop_mode and
    plain arrays do not skip it."""
    x = RNG.standard_normal((4, 2))
    running_mean, running_var = numpy.zeros(2), numpy.ones(2)
    with fchain.no_backprop_mode():
        F.batch_normalization(x, numpy.ones(2), numpy.zeros(2), running_mean=running_mean,
                              running_var=running_var)
    numpy.testing.assert_allclose(running_mean, 0.1 * x.mean(axis=0), rtol=1e-13)
    numpy.testing.assert_allclose(running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-13)


def test_batch_normalization_running_statistics_keep_their_dtype() -> None:
    """float32 statistics beside float64 data stay float32 arrays, updated in place."""
    x = RNG.standard_normal((6, 3))
    running_mean, running_var = numpy.zeros(3, numpy.float32), numpy.ones(3, numpy.float32)
    F.batch_normalization(x, numpy.ones(3), numpy.zeros(3), running_mean=running_mean, running_var=running_var)
    assert running_mean.dtype == numpy.float32 and running_var.dtype == numpy.float32
    numpy.testing.assert_allclose(running_mean, 0.1 * x.mean(axis=0), rtol=1e-6)


def test_batch_normalization_of_float16_data_with_float32_parameters() -> None:
    """Chainer's mixed precision: statistics in float32 (the wider dtype), y and gx in
    float16, the parameter gradients in float32."""
    x = fchain.Variable((RNG.standard_normal((8, 3)) * 3).astype(numpy.float16))
    gamma = fchain.Variable(RNG.uniform(0.5, 1.5, 3).astype(numpy.float32))
    beta = fchain.Variable(RNG.standard_normal(3).astype(numpy.float32))
    y = F.batch_normalization(x, gamma, beta)
    assert y.dtype == numpy.float16
    expected = _bn_reference(x.array, gamma.array, beta.array, 2e-5, (0,))
    numpy.testing.assert_allclose(y.array.astype(numpy.float64), expected, rtol=2e-3, atol=2e-3)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert x.grad is not None and gamma.grad is not None and beta.grad is not None
    assert [str(g.dtype) for g in (x.grad, gamma.grad, beta.grad)] == ["float16", "float32", "float32"]
    numpy.testing.assert_allclose(beta.grad, numpy.full(3, 8.0))


def test_batch_normalization_warns_for_one_value_per_statistic() -> None:
    with pytest.warns(UserWarning, match=r"^batch_normalization: got a batch of one sample"):
        y = F.batch_normalization(RNG.standard_normal((1, 3)), numpy.ones(3), numpy.full(3, 0.5))
    numpy.testing.assert_array_equal(y.array, numpy.full((1, 3), 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.batch_normalization(RNG.standard_normal((2, 3)), numpy.ones(3), numpy.zeros(3))


def test_batch_normalization_double_backward_runs_through_the_statistics() -> None:
    """d(sum(gx * w))/dx must see the mean and variance move with x: compared with a
    central difference of the first-order gradient."""
    x0 = RNG.standard_normal((4, 3))
    gamma, beta, gy, w = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3), RNG.standard_normal((4, 3)), \
        RNG.standard_normal((4, 3))

    def grad_x(x: Array) -> Array:
        v = fchain.Variable(x)
        y = F.batch_normalization(v, gamma, beta)
        (gx,) = fchain.grad([y], [v], [fchain.Variable(gy)], enable_double_backprop=True)
        assert gx is not None
        return gx.array

    v = fchain.Variable(x0)
    y = F.batch_normalization(v, gamma, beta)
    (gx,) = fchain.grad([y], [v], [fchain.Variable(gy)], enable_double_backprop=True)
    assert gx is not None
    F.sum(gx * w).backward()
    assert v.grad is not None
    direction = RNG.standard_normal(x0.shape)
    h = 1e-6
    numeric = float(numpy.sum((grad_x(x0 + h * direction) - grad_x(x0 - h * direction)) * w)) / (2 * h)
    assert numpy.isclose(float(numpy.sum(v.grad * direction)), numeric, rtol=1e-6, atol=1e-8)


# --- fixed_batch_normalization ----------------------------------------------------

@pytest.mark.parametrize(("x_shape", "g_shape", "axis", "reduced"), [
    ((6, 4), (4,), None, (0,)),
    ((5, 3, 4, 4), (3,), None, (0, 2, 3)),
    ((3, 4, 2, 5), (4, 2), None, (0, 3)),
    ((4, 3, 5), (5,), (0, 1), (0, 1)),
])
def test_fixed_batch_normalization_uses_the_given_statistics(
        x_shape: tuple[int, ...], g_shape: tuple[int, ...], axis: Any, reduced: tuple[int, ...]) -> None:
    x = RNG.standard_normal(x_shape)
    gamma, beta = RNG.uniform(0.5, 1.5, g_shape), RNG.standard_normal(g_shape)
    mean, var = RNG.standard_normal(g_shape), RNG.uniform(0.5, 2.0, g_shape)
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var, 1e-3, axis)
    shape = tuple(1 if i in reduced else n for i, n in enumerate(x_shape))
    expected = (x - mean.reshape(shape)) / numpy.sqrt(var.reshape(shape) + 1e-3) * gamma.reshape(shape) \
        + beta.reshape(shape)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


def test_fixed_batch_normalization_with_the_batch_statistics_is_batch_normalization() -> None:
    x = RNG.standard_normal((5, 3, 2))
    gamma, beta = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    fixed = F.fixed_batch_normalization(x, gamma, beta, x.mean(axis=(0, 2)), x.var(axis=(0, 2)))
    numpy.testing.assert_allclose(fixed.array, F.batch_normalization(x, gamma, beta).array, rtol=1e-12, atol=1e-12)


def test_fixed_batch_normalization_differentiates_the_statistics() -> None:
    """Chainer gives ``mean`` and ``var`` gradients: ``-sum(gamma * inv_std * gy)`` and
    ``-0.5 * gamma * sum(gy * (x - mean)) * (var + eps)^-1.5``."""
    x, gy = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 2))
    gamma, beta = RNG.uniform(0.5, 1.5, 2), RNG.standard_normal(2)
    mean, var = fchain.Variable(RNG.standard_normal(2)), fchain.Variable(RNG.uniform(0.5, 2.0, 2))
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var, eps=0.0)
    y.grad = gy
    y.backward()
    assert mean.grad is not None and var.grad is not None
    numpy.testing.assert_allclose(mean.grad, -(gamma / numpy.sqrt(var.array) * gy).sum(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(
        var.grad, -0.5 * gamma * (gy * (x - mean.array)).sum(axis=0) * var.array ** -1.5, rtol=1e-12)


# --- batch_renormalization -----------------------------------------------------

def test_batch_renormalization_matches_the_formula() -> None:
    x = RNG.standard_normal((6, 3, 2)) * 2
    gamma, beta = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    running_mean, running_var = RNG.standard_normal(3) * 0.3, RNG.uniform(2.0, 6.0, 3)
    y = F.batch_renormalization(x, gamma, beta, 1.5, 0.5, 1e-3, running_mean, running_var)
    mean, std = x.mean(axis=(0, 2)), numpy.sqrt(x.var(axis=(0, 2)) + 1e-3)
    sigma = numpy.sqrt(running_var + 1e-3)
    r = numpy.clip(std / sigma, 1 / 1.5, 1.5)
    d = numpy.clip((mean - running_mean) / sigma, -0.5, 0.5)
    c = (slice(None), None)
    expected = gamma[c] * ((x - mean[c]) / std[c] * r[c] + d[c]) + beta[c]
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


def test_batch_renormalization_updates_statistics_only_when_asked() -> None:
    x = RNG.standard_normal((5, 2))
    mean0, var0 = numpy.zeros(2), numpy.ones(2)
    running_mean, running_var = mean0.copy(), var0.copy()
    F.batch_renormalization(x, numpy.ones(2), numpy.zeros(2), 2.0, 1.0, running_mean=running_mean,
                            running_var=running_var)
    numpy.testing.assert_array_equal(running_mean, mean0)
    numpy.testing.assert_array_equal(running_var, var0)
    F.batch_renormalization(x, numpy.ones(2), numpy.zeros(2), 2.0, 1.0, running_mean=running_mean,
                            running_var=running_var, decay=0.5, update_statistics=True)
    numpy.testing.assert_allclose(running_mean, 0.5 * x.mean(axis=0), rtol=1e-13)
    numpy.testing.assert_allclose(running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1), rtol=1e-13)


def test_batch_renormalization_with_rmax_1_and_dmax_0_is_batch_normalization() -> None:
    x = fchain.Variable(RNG.standard_normal((4, 3, 5)))
    gamma, beta = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    y = F.batch_renormalization(x, gamma, beta, 1.0, 0.0, running_mean=RNG.standard_normal(3),
                                running_var=RNG.uniform(0.5, 2.0, 3))
    numpy.testing.assert_allclose(y.array, F.batch_normalization(x, gamma, beta).array, rtol=1e-12, atol=1e-12)


def test_batch_renormalization_has_no_double_backprop_as_in_chainer() -> None:
    x = fchain.Variable(RNG.standard_normal((4, 2)))
    y = F.batch_renormalization(x, numpy.ones(2), numpy.zeros(2), 2.0, 1.0, running_mean=numpy.zeros(2),
                                running_var=numpy.ones(2))
    y.grad = numpy.ones((4, 2))
    with pytest.raises(NotDoubleDifferentiableError, match="^batch_renormalization: "):
        y.backward(enable_double_backprop=True)


def test_batch_renormalization_runs_in_training_mode_only() -> None:
    with fchain.using_config("train", False), pytest.raises(RuntimeError, match=(
            r"^batch_renormalization: runs in training mode only \(config.train is False\), as in Chainer; "
            "at test time use fixed_batch_normalization with the running statistics$")):
        F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0,
                                running_mean=numpy.zeros(3), running_var=numpy.ones(3))


# --- layer_normalization ---------------------------------------------------------

def test_layer_normalization_normalizes_each_row() -> None:
    x = RNG.standard_normal((4, 7)) * 3 + 1
    gamma, beta = RNG.uniform(0.5, 1.5, 7), RNG.standard_normal(7)
    y = F.layer_normalization(x, gamma, beta, eps=1e-3)
    expected = (x - x.mean(axis=1, keepdims=True)) / numpy.sqrt(x.var(axis=1, keepdims=True) + 1e-3) * gamma + beta
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


# --- group_normalization ---------------------------------------------------------

@pytest.mark.parametrize(("shape", "groups"), [((3, 6, 4, 4), 3), ((4, 6), 2), ((2, 4, 5), 1), ((2, 4, 3), 4)])
def test_group_normalization_normalizes_each_samples_groups(shape: tuple[int, ...], groups: int) -> None:
    x = RNG.standard_normal(shape) * 2 + 1
    c = shape[1]
    gamma, beta = RNG.uniform(0.5, 1.5, c), RNG.standard_normal(c)
    y = F.group_normalization(x, groups, gamma, beta, eps=1e-3)
    rows = x.reshape(shape[0], groups, -1)
    x_hat = ((rows - rows.mean(axis=2, keepdims=True)) / numpy.sqrt(rows.var(axis=2, keepdims=True) + 1e-3))
    per_channel = (1, c) + (1,) * (len(shape) - 2)
    expected = x_hat.reshape(shape) * gamma.reshape(per_channel) + beta.reshape(per_channel)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


def test_group_normalization_with_one_channel_per_group_and_batch_normalization_agree_per_sample() -> None:
    """One sample, one channel per group: the statistics of batch normalization over
    the spatial axes (a batch of that sample alone)."""
    x = RNG.standard_normal((1, 3, 4, 2))
    gamma, beta = RNG.uniform(0.5, 1.5, 3), RNG.standard_normal(3)
    numpy.testing.assert_allclose(F.group_normalization(x, 3, gamma, beta, eps=2e-5).array,
                                  F.batch_normalization(x, gamma, beta).array, rtol=1e-12, atol=1e-12)


# --- local_response_normalization ------------------------------------------------

@pytest.mark.parametrize(("shape", "n"), [((2, 7, 3, 3), 5), ((3, 6, 4), 3), ((4, 5), 4), ((2, 3), 1), ((1, 2, 2), 9)])
def test_local_response_normalization_sums_the_neighbouring_channels(shape: tuple[int, ...], n: int) -> None:
    x = RNG.standard_normal(shape)
    y = F.local_response_normalization(x, n, k=1.5, alpha=0.3, beta=0.6)
    expected = numpy.empty_like(x)
    c = shape[1]
    for j in range(c):
        near = range(max(0, j - n // 2), min(c, j + n // 2 + 1))
        s = sum(x[:, i] ** 2 for i in near)
        expected[:, j] = x[:, j] * (1.5 + 0.3 * s) ** -0.6
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


def test_local_response_normalization_has_no_double_backprop_as_in_chainer() -> None:
    x = fchain.Variable(RNG.standard_normal((2, 3)))
    y = F.local_response_normalization(x)
    y.grad = numpy.ones((2, 3))
    with pytest.raises(NotDoubleDifferentiableError, match="^local_response_normalization: "):
        y.backward(enable_double_backprop=True)


# --- normalize -------------------------------------------------------------------

@pytest.mark.parametrize(("shape", "axis"), [((4, 6), 1), ((3, 4, 5), (0, 2)), ((3, 4), None), ((2, 5), -1)])
def test_normalize_divides_by_the_l2_norm(shape: tuple[int, ...], axis: Any) -> None:
    x = RNG.standard_normal(shape)
    y = F.normalize(x, eps=1e-3, axis=axis)
    expected = x / (numpy.sqrt((x * x).sum(axis=axis, keepdims=True)) + 1e-3)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-12, atol=1e-12)


def test_normalize_of_a_zero_vector_has_a_finite_gradient() -> None:
    """Chainer's masked backward: a zero slice's gradient is ``gy / eps``, with no
    division by zero (numpy would warn, and raises here)."""
    x = fchain.Variable(numpy.array([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]]))
    gy = numpy.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    with numpy.errstate(all="raise"):
        y = F.normalize(x, eps=0.5)
        y.grad = gy
        y.backward()
    assert x.grad is not None
    numpy.testing.assert_allclose(x.grad[0], gy[0] / 0.5)
    norm = 5.0 + 0.5
    numpy.testing.assert_allclose(x.grad[1], (gy[1] * norm - (gy[1] @ x.array[1]) / 5.0 * x.array[1]) / norm ** 2)


BN_ERRORS: list[tuple[type[Exception], str, Any]] = [
    (TypeError, "batch_normalization: x must be a Variable, numpy.ndarray or cupy.ndarray, got str",
     lambda: F.batch_normalization(bad("x"), numpy.ones(3), numpy.zeros(3))),
    (TypeError, "batch_normalization: gamma must be a Variable, numpy.ndarray or cupy.ndarray, got list",
     lambda: F.batch_normalization(numpy.ones((2, 3)), bad([1.0]), numpy.zeros(3))),
    (DTypeError, "batch_normalization: x must be a floating-point array, got dtype int64",
     lambda: F.batch_normalization(numpy.ones((2, 3), numpy.int64), numpy.ones(3), numpy.zeros(3))),
    (DTypeError, "batch_normalization: beta has dtype float32 but gamma has float64; all floating inputs of "
                 "one op must share a dtype",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3, numpy.float32))),
    (ShapeError, "batch_normalization: gamma has shape (4,) but x has shape (2, 3); normalizing over "
                 "axis (0,), gamma must have shape (3,) (the kept axes of x)",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(4), numpy.zeros(4))),
    (ShapeError, "batch_normalization: beta must have gamma's shape (3,), got shape (2,)",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(2))),
    (ValueError, "batch_normalization: the axes in axis must be distinct and in ascending order, got (2, 0)",
     lambda: F.batch_normalization(numpy.ones((2, 3, 4)), numpy.ones(3), numpy.zeros(3), axis=(2, 0))),
    (ValueError, "batch_normalization: axis 3 is out of range for x with 3 dimensions",
     lambda: F.batch_normalization(numpy.ones((2, 3, 4)), numpy.ones(3), numpy.zeros(3), axis=(0, 3))),
    (TypeError, "batch_normalization: axis must be None, an int or a tuple of ints, got str 'a'",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), axis=bad("a"))),
    (TypeError, "batch_normalization: eps must be a real number, got str 'e'",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), eps=bad("e"))),
    (TypeError, "batch_normalization: decay must be a real number, got NoneType None",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), running_mean=numpy.zeros(3),
                                   running_var=numpy.ones(3), decay=bad(None))),
    (TypeError, "batch_normalization: running_mean and running_var must be given together; running_var is None",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), running_mean=numpy.zeros(3))),
    (TypeError, "batch_normalization: running_mean must be a numpy.ndarray or cupy.ndarray (it is updated in "
                "place), not a Variable",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3),
                                   running_mean=bad(fchain.Variable(numpy.zeros(3))), running_var=numpy.ones(3))),
    (TypeError, "batch_normalization: running_var must be a numpy.ndarray or cupy.ndarray, got list",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), running_mean=numpy.zeros(3),
                                   running_var=bad([1.0, 1.0, 1.0]))),
    (ShapeError, "batch_normalization: running_var must have gamma's shape (3,), got shape (1, 3)",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), running_mean=numpy.zeros(3),
                                   running_var=numpy.ones((1, 3)))),
    (DTypeError, "batch_normalization: running_mean must be a floating-point array, got dtype int64",
     lambda: F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3),
                                   running_mean=numpy.zeros(3, numpy.int64), running_var=numpy.ones(3))),
    (ShapeError, "fixed_batch_normalization: var must have gamma's shape (3,), got shape (4,)",
     lambda: F.fixed_batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), numpy.zeros(3),
                                         numpy.ones(4))),
    (DTypeError, "fixed_batch_normalization: mean has dtype float32 but gamma has float64; all floating "
                 "inputs of one op must share a dtype",
     lambda: F.fixed_batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3),
                                         numpy.zeros(3, numpy.float32), numpy.ones(3))),
    (ShapeError, "fixed_batch_normalization: gamma has shape (2,) but x has shape (2, 3, 4); normalizing over "
                 "axis (0, 2), gamma must have shape (3,) (the kept axes of x)",
     lambda: F.fixed_batch_normalization(numpy.ones((2, 3, 4)), numpy.ones(2), numpy.zeros(2), numpy.zeros(2),
                                         numpy.ones(2))),
    (TypeError, "fixed_batch_normalization: var must be a Variable, numpy.ndarray or cupy.ndarray, got float",
     lambda: F.fixed_batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), numpy.zeros(3),
                                         bad(1.0))),
    (TypeError, "batch_renormalization: running_mean is required (r and d are made from the running statistics)",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0)),
    (TypeError, "batch_renormalization: running_var is required (r and d are made from the running statistics)",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0,
                                     running_mean=numpy.zeros(3))),
    (TypeError, "batch_renormalization: rmax must be a real number, got str 'a'",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), bad("a"), 1.0,
                                     running_mean=numpy.zeros(3), running_var=numpy.ones(3))),
    (TypeError, "batch_renormalization: update_statistics must be a bool, got int 1",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0,
                                     running_mean=numpy.zeros(3), running_var=numpy.ones(3),
                                     update_statistics=bad(1))),
    (DTypeError, "batch_renormalization: running_var has dtype float32 but gamma has float64; all floating "
                 "inputs of one op must share a dtype",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0,
                                     running_mean=numpy.zeros(3), running_var=numpy.ones(3, numpy.float32))),
    (ShapeError, "batch_renormalization: running_mean must have gamma's shape (3,), got shape (2,)",
     lambda: F.batch_renormalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), 2.0, 1.0,
                                     running_mean=numpy.zeros(2), running_var=numpy.ones(3))),
    (ShapeError, "layer_normalization: x must be 2-d (batch, units), got shape (2, 3, 4)",
     lambda: F.layer_normalization(numpy.ones((2, 3, 4)), numpy.ones(4), numpy.zeros(4))),
    (ShapeError, "layer_normalization: gamma must have shape (3,) (one per unit of x), got shape (1,)",
     lambda: F.layer_normalization(numpy.ones((2, 3)), numpy.ones(1), numpy.zeros(3))),
    (ShapeError, "layer_normalization: beta must have shape (3,) (one per unit of x), got shape (3, 1)",
     lambda: F.layer_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros((3, 1)))),
    (DTypeError, "layer_normalization: gamma has dtype float32 but x has float64; all floating inputs of one "
                 "op must share a dtype",
     lambda: F.layer_normalization(numpy.ones((2, 3)), numpy.ones(3, numpy.float32), numpy.zeros(3))),
    (TypeError, "layer_normalization: eps must be a real number, got str 'e'",
     lambda: F.layer_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), bad("e"))),
    (ValueError, "group_normalization: x has 6 channels (x.shape[1]), which groups=4 does not divide",
     lambda: F.group_normalization(numpy.ones((2, 6)), 4, numpy.ones(6), numpy.zeros(6))),
    (TypeError, "group_normalization: groups must be an int, got float 2.0",
     lambda: F.group_normalization(numpy.ones((2, 6)), bad(2.0), numpy.ones(6), numpy.zeros(6))),
    (ValueError, "group_normalization: groups must be positive, got 0",
     lambda: F.group_normalization(numpy.ones((2, 6)), 0, numpy.ones(6), numpy.zeros(6))),
    (ShapeError, "group_normalization: gamma must have shape (6,) (one per channel of x), got shape (3,)",
     lambda: F.group_normalization(numpy.ones((2, 6, 2)), 3, numpy.ones(3), numpy.zeros(6))),
    (ShapeError, "group_normalization: x must have shape (N, C, ...), got shape (6,)",
     lambda: F.group_normalization(numpy.ones(6), 3, numpy.ones(6), numpy.zeros(6))),
    (DTypeError, "group_normalization: x must be a floating-point array, got dtype int64",
     lambda: F.group_normalization(numpy.ones((2, 6), numpy.int64), 3, numpy.ones(6), numpy.zeros(6))),
    (ValueError, "local_response_normalization: n must be a positive int, got 0",
     lambda: F.local_response_normalization(numpy.ones((2, 6)), 0)),
    (TypeError, "local_response_normalization: n must be an int, got float 5.0",
     lambda: F.local_response_normalization(numpy.ones((2, 6)), bad(5.0))),
    (TypeError, "local_response_normalization: alpha must be a real number, got str 'a'",
     lambda: F.local_response_normalization(numpy.ones((2, 6)), alpha=bad("a"))),
    (ShapeError, "local_response_normalization: x must have shape (N, C, ...), got shape (6,)",
     lambda: F.local_response_normalization(numpy.ones(6))),
    (TypeError, "local_response_normalization: x must be a Variable, numpy.ndarray or cupy.ndarray, got str",
     lambda: F.local_response_normalization(bad("x"))),
    (ValueError, "normalize: axis 2 is out of range for an input with 2 dimensions",
     lambda: F.normalize(numpy.ones((2, 6)), axis=2)),
    (TypeError, "normalize: axis must be None, an int or a tuple of ints, got str 'a'",
     lambda: F.normalize(numpy.ones((2, 6)), axis=bad("a"))),
    (TypeError, "normalize: eps must be a real number, got str 'e'",
     lambda: F.normalize(numpy.ones((2, 6)), bad("e"))),
    (DTypeError, "normalize: x must be a floating-point array, got dtype int64; cast integer data with F.cast "
                 "or .astype(numpy.float32)",
     lambda: F.normalize(numpy.ones((2, 6), numpy.int64))),
]


@pytest.mark.parametrize(("kind", "message", "call"), BN_ERRORS, ids=[str(i) for i in range(len(BN_ERRORS))])
def test_normalization_argument_errors(kind: type[Exception], message: str, call: Any) -> None:
    with pytest.raises(kind, match="^" + re.escape(message) + "$"):
        call()


def test_batch_normalization_takes_its_options_by_keyword_only() -> None:
    """As Chainer's ``**kwargs`` signature: a positional eps is an error, not a silent
    misreading."""
    with pytest.raises(TypeError):
        F.batch_normalization(numpy.ones((2, 3)), numpy.ones(3), numpy.zeros(3), bad(1e-5))  # type: ignore[call-arg]  # the mistake under test


def test_the_cache_of_resolved_axes_stays_bounded() -> None:
    """A program whose batches vary in size resolves new axes for each shape: the
    cache starts again rather than growing without end."""
    from fchain.ops.normalization import _batch_axes

    for n in range(2, 2 + 2 * _batch_axes._CACHE_SIZE):
        F.batch_normalization(numpy.ones((n, 2)), numpy.ones(2), numpy.zeros(2))
        assert len(_batch_axes._CACHE) <= _batch_axes._CACHE_SIZE

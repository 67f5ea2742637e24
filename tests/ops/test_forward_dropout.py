"""F.dropout: identity outside training, scaled masking inside, reproducible masks."""

from __future__ import annotations

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.graph import random as frandom
from fchain.graph.config import using_config
from fchain.types import Array


def test_test_mode_returns_input_unchanged() -> None:
    x = fchain.Variable(numpy.arange(6.0).reshape(2, 3))
    with using_config("train", False):
        y = F.dropout(x, 0.9)
        assert y is x
        a = numpy.ones(3)
        ya = F.dropout(a)
        numpy.testing.assert_array_equal(ya.array, a)
        out, mask = F.dropout(a, return_mask=True)
        assert mask is None
        numpy.testing.assert_array_equal(out.array, a)


@pytest.mark.parametrize("ratio", [0.5, 0.2, 0.75])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_train_mode_zeroes_or_scales(ratio: float, dtype: type) -> None:
    frandom.seed(0)
    x: Array = numpy.random.default_rng(3).uniform(1.0, 2.0, size=(50, 40)).astype(dtype)
    y, mask = F.dropout(x, ratio, return_mask=True)
    assert mask is not None and mask.dtype == dtype and y.dtype == dtype
    kept = y.array != 0
    scale = 1.0 / (1.0 - ratio)
    numpy.testing.assert_allclose(y.array[kept], x[kept] * scale, rtol=1e-6)
    numpy.testing.assert_array_equal(mask[kept], numpy.asarray(scale, dtype))
    numpy.testing.assert_array_equal(mask[~kept], 0)
    numpy.testing.assert_array_equal(y.array, x * mask)


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.9])
def test_mask_statistics_with_a_fixed_seed(ratio: float) -> None:
    frandom.seed(12345)
    n = 200_000
    y = F.dropout(numpy.ones(n), ratio)
    kept = numpy.count_nonzero(y.array) / n
    sd = (ratio * (1 - ratio) / n) ** 0.5
    assert abs(kept - (1.0 - ratio)) < 5 * sd
    # expectation is preserved: E[y] = x
    assert abs(y.array.mean() - 1.0) < 5 * sd / (1.0 - ratio)


def test_seed_makes_masks_reproducible() -> None:
    x = numpy.ones((10, 10))
    frandom.seed(42)
    a = F.dropout(x).array
    b = F.dropout(x).array
    frandom.seed(42)
    c = F.dropout(x).array
    numpy.testing.assert_array_equal(a, c)
    assert not numpy.array_equal(a, b)


def test_ratio_zero_keeps_everything() -> None:
    x = numpy.random.default_rng(0).standard_normal(100)
    numpy.testing.assert_array_equal(F.dropout(x, 0.0).array, x)


def test_gradient_is_the_mask() -> None:
    x = fchain.Variable(numpy.random.default_rng(1).standard_normal((4, 5)))
    y, mask = F.dropout(x, 0.4, return_mask=True)
    assert mask is not None
    gy = numpy.random.default_rng(2).standard_normal((4, 5))
    y.grad = gy
    y.backward()
    numpy.testing.assert_array_equal(x.grad, gy * mask)


def test_given_mask_is_used() -> None:
    x = numpy.array([1.0, 2.0, 3.0])
    mask = numpy.array([2.0, 0.0, 2.0])
    numpy.testing.assert_array_equal(F.dropout(x, 0.5, mask=mask).array, [2.0, 0.0, 6.0])
    with pytest.raises(ShapeError, match=r"^dropout: mask has shape \(2,\)"):
        F.dropout(x, 0.5, mask=numpy.ones(2))


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5])
def test_ratio_out_of_range(ratio: float) -> None:
    with pytest.raises(ValueError, match=r"^dropout: ratio must be in \[0, 1\)"):
        F.dropout(numpy.ones(3), ratio)


def test_seed_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="^seed:"):
        frandom.seed(-1)


@pytest.mark.parametrize("dtype", [numpy.int32, numpy.int64, numpy.uint8, numpy.bool_])
def test_integer_and_bool_inputs_get_the_ops_dtype_error(dtype: type) -> None:
    x: Array = numpy.ones((4, 3), dtype)
    frandom.seed(7)
    args: list[Array | fchain.Variable] = [x, fchain.Variable(x)]
    for arg in args:
        with pytest.raises(DTypeError, match=rf"^dropout: x must be a floating-point array, got dtype "
                                             rf"{numpy.dtype(dtype)}; cast integer data"):
            F.dropout(arg)
    # The refused calls drew nothing: the stream goes on as if they never were.
    after = F.dropout(numpy.ones((4, 3))).array
    frandom.seed(7)
    numpy.testing.assert_array_equal(after, F.dropout(numpy.ones((4, 3))).array)


def test_a_given_mask_must_share_xs_floating_dtype() -> None:
    with pytest.raises(DTypeError, match=r"^dropout: x must be a floating-point array, got dtype int64"):
        F.dropout(numpy.ones(3, numpy.int64), mask=numpy.ones(3))
    with pytest.raises(DTypeError, match=r"^dropout: mask has dtype int64 but x has float32"):
        F.dropout(numpy.ones(3, numpy.float32), mask=numpy.ones(3, numpy.int64))


def test_random_mask_refuses_a_non_floating_array() -> None:
    with pytest.raises(DTypeError, match=r"^random_mask: x must be a floating-point array, got dtype bool"):
        frandom.random_mask(numpy.ones(3, bool), 0.5)

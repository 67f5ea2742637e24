"""``fchain.utils``: Chainer's small array helpers, against independent expectations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fchain import utils


def test_force_array_turns_numpy_scalars_back_into_0d_arrays() -> None:
    scalar = np.float32(1.5) * np.float32(2.0)  # numpy gives a scalar, not an array
    out = utils.force_array(scalar)
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float32
    assert out.item() == 3.0
    converted = utils.force_array(2, dtype=np.float64)
    assert converted.shape == () and converted.dtype == np.float64 and converted.item() == 2.0


def test_force_array_keeps_arrays_and_casts_only_when_asked() -> None:
    a = np.arange(3, dtype=np.float32)
    assert utils.force_array(a) is a
    assert utils.force_array(a, np.float32) is a  # already that dtype: no copy
    cast = utils.force_array(a, np.float64)
    assert cast.dtype == np.float64 and cast is not a
    np.testing.assert_array_equal(cast, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(utils.force_array([1, 2]), np.array([1, 2]))


def test_force_type_converts_scalars_and_arrays() -> None:
    s = utils.force_type(np.float32, 0.1)
    assert type(s) is np.float32 and s == np.float32(0.1)
    assert type(utils.force_type("int64", np.float64(3.0))) is np.int64
    a = np.ones(2, np.float64)
    assert utils.force_type(np.float64, a) is a
    b = utils.force_type(np.float16, a)
    assert b.dtype == np.float16 and b.tolist() == [1.0, 1.0]
    zero_d = np.array(2.5)  # a 0-d array stays an array
    assert isinstance(utils.force_type(np.float32, zero_d), np.ndarray)


def test_sum_to_sums_the_broadcast_axes() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(utils.sum_to(x, (3, 1)), x.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(utils.sum_to(x, (4,)), x.sum(axis=(0, 1)))
    np.testing.assert_array_equal(utils.sum_to(x, (2, 3, 4)), x)


def _windows(size: int, k: int, s: int, p: int, d: int, cover_all: bool) -> int:
    """How many windows a convolution slides, counted one by one."""
    span = k + (k - 1) * (d - 1)  # the dilated kernel's extent
    length = size + 2 * p
    count = 0
    while count * s + span <= length:  # windows fully inside the padded input
        count += 1
    if cover_all and (count - 1) * s + span < length:
        count += 1  # one more window reaching past the end covers the rest
    return count


@pytest.mark.parametrize("cover_all", [False, True])
def test_conv_outsize_counts_the_windows(cover_all: bool) -> None:
    for size, k, s, p, d in itertools.product(range(3, 12), (1, 2, 3), (1, 2, 3), (0, 1, 2), (1, 2)):
        if k + (k - 1) * (d - 1) > size + 2 * p:
            continue
        assert utils.get_conv_outsize(size, k, s, p, cover_all, d) == _windows(size, k, s, p, d, cover_all), \
            (size, k, s, p, d)


@pytest.mark.parametrize("cover_all", [False, True])
def test_deconv_outsize_inverts_conv_outsize(cover_all: bool) -> None:
    for size, k, s, p, d in itertools.product(range(1, 10), (1, 2, 3), (1, 2, 3), (0, 1), (1, 2)):
        out = utils.get_deconv_outsize(size, k, s, p, cover_all, d)
        if out <= 0:
            continue  # the padding eats the whole output: no input has that size
        assert utils.get_conv_outsize(out, k, s, p, cover_all, d) == size, (size, k, s, p, d)

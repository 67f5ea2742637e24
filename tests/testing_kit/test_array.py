"""``assert_allclose``: Chainer's rule and message."""

from __future__ import annotations

import numpy
import pytest

from fchain import Variable
from fchain.testing import assert_allclose


def test_passes_within_tolerance_and_takes_variables_and_scalars() -> None:
    assert_allclose(numpy.array([1.0, 2.0]), numpy.array([1.0, 2.0 + 1e-5]))
    assert_allclose(Variable(numpy.array([3.0])), numpy.array([3.0]))
    assert_allclose(1.0, numpy.float64(1.0))


def test_the_rule_is_atol_plus_rtol_times_the_expected_side() -> None:
    assert_allclose(numpy.array([110.0]), numpy.array([100.0]), atol=0, rtol=0.1)
    with pytest.raises(AssertionError):
        assert_allclose(numpy.array([100.0]), numpy.array([110.0]), atol=0, rtol=0.05)


def test_the_message_names_the_worst_element() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_allclose(numpy.array([1.0, 5.0, 3.0]), numpy.array([1.0, 2.0, 3.0]))
    message = str(caught.value)
    assert "i: (1,)" in message and "x[i]: 5.0" in message and "y[i]: 2.0" in message
    assert "shape: (3,) (3,)" in message


def test_a_shape_mismatch_fails() -> None:
    with pytest.raises(AssertionError):
        assert_allclose(numpy.ones(3), numpy.ones(4))

"""Testing a custom op three ways: fchain's own property test (``check_op``), a
Chainer-style ``FunctionTestCase`` parameterized over dtypes and shapes, and a
hand-written hypothesis property with ``fchain.testing.strategies``."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fchain import Variable
from fchain.backend import Device
from fchain.testing import FunctionTestCase, assert_allclose, check_op, parameterize, product
from fchain.testing import strategies as fst
from fchain.types import Array
from tests.downstream_kit.mylib import SOFT_HYPOT, soft_hypot


def test_soft_hypot_passes_fchains_property_test() -> None:
    """float64 and float32, broadcasting shapes, the double-backprop path and
    double backward, on every available device."""
    check_op(SOFT_HYPOT)


def test_soft_hypot_refuses_a_non_positive_eps() -> None:
    with pytest.raises(ValueError, match="eps must be positive"):
        soft_hypot(numpy.ones(2), numpy.ones(2), eps=0.0)


@parameterize(*product({
    "dtype": [numpy.float32, numpy.float64],
    "shapes": [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1))],
}))
class TestSoftHypot(FunctionTestCase):
    dtype: type[numpy.floating]
    shapes: tuple[tuple[int, ...], tuple[int, ...]]

    def setUp(self) -> None:
        numpy.random.seed(0)
        if self.dtype == numpy.float32:
            self.check_backward_options.update({"atol": 1e-4, "rtol": 1e-3})
            self.check_double_backward_options.update({"atol": 1e-3, "rtol": 1e-2})

    def generate_inputs(self) -> tuple[Array, ...]:
        a, b = self.shapes
        return (numpy.random.uniform(-1, 1, a).astype(self.dtype),
                numpy.random.uniform(-1, 1, b).astype(self.dtype))

    def forward(self, inputs: tuple[Variable, ...], device: Device) -> tuple[Variable, ...]:
        x, y = inputs
        return (soft_hypot(x, y, eps=0.5),)

    def forward_expected(self, inputs: tuple[Array, ...]) -> tuple[Array, ...]:
        x, y = inputs
        return (numpy.sqrt(x * x + y * y + 0.5).astype(self.dtype),)


@settings(max_examples=25)
@given(shapes=fst.broadcastable_shape_pairs(), data=st.data())
def test_soft_hypot_is_at_least_the_larger_magnitude(shapes: tuple[tuple[int, ...], tuple[int, ...]],
                                                     data: st.DataObject) -> None:
    x = data.draw(fst.float_arrays(numpy.float64, shapes[0], -10, 10))
    y = data.draw(fst.float_arrays(numpy.float64, shapes[1], -10, 10))
    r = soft_hypot(x, y, eps=1e-3).array
    assert bool((r >= numpy.maximum(numpy.abs(x), numpy.abs(y))).all())
    assert_allclose(r, numpy.hypot(x, y), atol=0.05, rtol=0)

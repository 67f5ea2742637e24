"""Exact gradients of ``spatial_transformer_sampler`` at its kinks (Chainer 7's
conventions, also listed in its ``GradSpec.conventions``).

Bilinear sampling is piecewise linear in the grid: the gradient jumps where a
coordinate crosses the pixel lattice and where it is clipped to the zero border.
The property test keeps the grid away from both; here the choices are pinned on
an image whose values make every number exact:

* at an integer pixel coordinate ``u = k`` the gradient is the one-sided
  derivative over the cell ``[k, k + 1]`` (the corners are ``floor(u)`` and
  ``floor(u) + 1``);
* at the outer edge of the one-pixel zero border (``u = 0`` or ``u = W + 1`` in
  padded coordinates) and beyond it, the gradient with respect to the grid is 0.
"""

from __future__ import annotations

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.types import Array


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_sampler_gradients_at_the_lattice_and_the_border(dtype: type) -> None:
    x: Array = numpy.array([[[[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]]]], dtype=dtype)  # (1, 1, 2, 3)
    # x coordinates: 0 (u = 2, on the lattice), -2 (u = 0, the border's edge), -3 (outside), 2 (u = W + 1);
    # y coordinate -0.5 everywhere (v = 1.25: a quarter of the way from row 0 to row 1 of x)
    grid: Array = numpy.array([[[[0.0, -2.0, -3.0, 2.0]], [[-0.5, -0.5, -0.5, -0.5]]]], dtype=dtype)
    xv, gv = fchain.Variable(x.copy()), fchain.Variable(grid.copy())
    y = F.spatial_transformer_sampler(xv, gv)
    numpy.testing.assert_array_equal(y.array, [[[[5.5, 0.0, 0.0, 0.0]]]])
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert gv.grad is not None and xv.grad is not None
    # d/du over [2, 3]: 0.75 * (4 - 2) + 0.25 * (32 - 16) = 5.5, times (W - 1) / 2 = 1 (the cell
    # [1, 2] below would give 2.75); d/dv: 16 - 2 = 14, times (H - 1) / 2 = 0.5
    numpy.testing.assert_array_equal(gv.grad, [[[[5.5, 0.0, 0.0, 0.0]], [[7.0, 0.0, 0.0, 0.0]]]])
    numpy.testing.assert_array_equal(xv.grad, [[[[0.0, 0.75, 0.0], [0.0, 0.25, 0.0]]]])

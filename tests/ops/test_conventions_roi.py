"""Conventions and errors of the ROI pooling functions, tested exactly.

The property tests keep their inputs away from ties and empty bins; what Chainer 7
does there is pinned here: ties go to the first maximum in raster order of the
bin, a bin outside the image is ``-inf`` for the max functions (Chainer's CPU
code) and 0 for ``roi_pooling_2d`` and the averages, ROI corners round half to
even, and every bad argument is refused with an error naming the function and
the argument.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import pytest

import fchain
import fchain.functions as F
from fchain.errors import DTypeError, ShapeError
from fchain.types import Array

ONE = numpy.zeros((1,), dtype=numpy.int32)


def _grad(fn: Callable[[fchain.Variable], fchain.Variable], x: Array) -> Array:
    v = fchain.Variable(x)
    y = fn(v)
    y.grad = numpy.arange(1, y.size + 1, dtype=x.dtype).reshape(y.shape)
    y.backward()
    assert v.grad is not None
    return v.grad


def test_roi_max_pooling_tie_goes_to_the_first_maximum_in_raster_order() -> None:
    x = numpy.array([[[[1.0, 3.0],
                       [3.0, 3.0]]]], dtype=numpy.float32)
    box = numpy.array([[0.0, 0.0, 2.0, 2.0]], dtype=numpy.float32)
    g = _grad(lambda v: F.roi_max_pooling_2d(v, box, ONE, 1, 1.0), x)
    assert g.ravel().tolist() == [0.0, 1.0, 0.0, 0.0]


def test_roi_max_pooling_tie_across_rows_and_columns_keeps_the_earlier_row() -> None:
    # maxima at (0, 2) and (1, 0): raster order picks row 0 even though column 0 comes first
    x = numpy.array([[[[0.0, 1.0, 5.0],
                       [5.0, 2.0, 0.0]]]], dtype=numpy.float64)
    box = numpy.array([[0.0, 0.0, 2.0, 3.0]])
    g = _grad(lambda v: F.roi_max_pooling_2d(v, box, ONE, 1, 1.0), x)
    assert g.ravel().tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]


def test_empty_bins_are_minus_inf_for_max_and_zero_otherwise() -> None:
    x = numpy.arange(16, dtype=numpy.float32).reshape(1, 1, 4, 4)
    box = numpy.array([[2.0, 2.0, 12.0, 12.0]], dtype=numpy.float32)  # reaches far past the image
    y = F.roi_max_pooling_2d(x, box, ONE, 2, 1.0).array
    assert y[0, 0, 0, 0] == 15.0 and numpy.isneginf(y[0, 0, 1]).all()
    assert F.roi_average_pooling_2d(x, box, ONE, 2, 1.0).array[0, 0, 1].tolist() == [0.0, 0.0]
    old = numpy.array([[0.0, 2.0, 2.0, 12.0, 12.0]], dtype=numpy.float32)
    assert F.roi_pooling_2d(x, old, 2, 2, 1.0).array[0, 0, 1].tolist() == [0.0, 0.0]
    far = numpy.array([[9.0, 9.0, 12.0, 12.0]], dtype=numpy.float32)  # every sample past the image
    assert numpy.isneginf(F.roi_max_align_2d(x, far, ONE, 1, 1.0).array).all()
    assert F.roi_average_align_2d(x, far, ONE, 1, 1.0).array.tolist() == [[[[0.0]]]]


def test_roi_corners_round_half_to_even() -> None:
    x = numpy.arange(8, dtype=numpy.float64).reshape(1, 1, 1, 8)
    # x_min 2.5 -> 2 and 3.5 -> 4 (ties to even); x_max 5.5 -> 6
    for x_min, first in ((2.5, 2.0), (3.5, 4.0)):
        box = numpy.array([[0.0, x_min, 1.0, 5.5]])
        y = F.roi_max_pooling_2d(x, box, ONE, (1, 4), 1.0).array
        assert y[0, 0, 0, 0] == first


def test_roi_pooling_2d_reads_image_index_then_x_before_y() -> None:
    x = numpy.arange(2 * 3 * 5, dtype=numpy.float32).reshape(2, 1, 3, 5)
    # image 1, x in [3, 4], y in [0, 1] (ends included): max at (1, 4) of image 1
    box = numpy.array([[1.0, 3.0, 0.0, 4.0, 1.0]], dtype=numpy.float32)
    assert F.roi_pooling_2d(x, box, 1, 1, 1.0).array.ravel().tolist() == [x[1, 0, 1, 4]]


def test_align_averages_the_bilinear_samples() -> None:
    x = numpy.arange(12, dtype=numpy.float64).reshape(1, 1, 3, 4)  # x[h, w] = 4h + w: linear
    box = numpy.array([[0.25, 0.5, 2.25, 2.5]])
    # one 2x2 bin of size 2, two samples per axis at 0.75 and 1.75 (y), 1.0 and 2.0 (x)
    y = F.roi_average_align_2d(x, box, ONE, 1, 1.0).array
    assert y.ravel().tolist() == [4 * 1.25 + 1.5]
    y = F.roi_max_align_2d(x, box, ONE, 1, 1.0).array
    assert y.ravel().tolist() == [4 * 1.75 + 2.0]


def test_rois_on_several_images_scatter_their_gradients_to_each() -> None:
    x = numpy.random.RandomState(0).permutation(2 * 2 * 4 * 4).reshape(2, 2, 4, 4).astype(numpy.float64)
    boxes = numpy.array([[0.0, 0.0, 4.0, 4.0], [1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 4.0, 4.0]])
    index = numpy.array([1, 0, 1], dtype=numpy.int32)
    g = _grad(lambda v: F.roi_average_pooling_2d(v, boxes, index, 2, 1.0), x)
    # image 1 receives two ROIs' gradients over the whole image, image 0 one over its centre
    assert g[0, :, 0].tolist() == [[0.0] * 4] * 2 and g[1].min() > 0.0
    assert F.roi_average_pooling_2d(x, boxes, index, 2, 1.0).shape == (3, 2, 2, 2)


X = numpy.zeros((2, 1, 4, 4), dtype=numpy.float32)
BOX = numpy.zeros((1, 4), dtype=numpy.float32)
BAD: list[tuple[type[Exception], str, Callable[[], object]]] = [
    (ShapeError, r"roi_max_pooling_2d: x must be 4-d", lambda: F.roi_max_pooling_2d(X[0], BOX, ONE, 2, 1.0)),
    (ShapeError, r"roi_average_pooling_2d: rois must have shape \(R, 4\)",
     lambda: F.roi_average_pooling_2d(X, numpy.zeros((1, 5), numpy.float32), ONE, 2, 1.0)),
    (ShapeError, r"roi_pooling_2d: rois must have shape \(R, 5\)",
     lambda: F.roi_pooling_2d(X, BOX, 2, 2, 1.0)),
    (ShapeError, r"roi_max_align_2d: roi_indices must have shape \(R,\) = \(1,\)",
     lambda: F.roi_max_align_2d(X, BOX, numpy.zeros((2,), numpy.int32), 2, 1.0)),
    (DTypeError, r"roi_average_align_2d: roi_indices must hold integers, got dtype float32",
     lambda: F.roi_average_align_2d(X, BOX, numpy.zeros((1,), numpy.float32), 2, 1.0)),
    (ValueError, r"roi_max_pooling_2d: roi_indices must name images of x, in \[0, 2\), got values from 2 to 2",
     lambda: F.roi_max_pooling_2d(X, BOX, numpy.full((1,), 2, numpy.int32), 2, 1.0)),
    (ValueError, r"roi_pooling_2d: rois\[:, 0\] must name images of x",
     lambda: F.roi_pooling_2d(X, numpy.full((1, 5), -1.0, numpy.float32), 2, 2, 1.0)),
    (ValueError, r"roi_max_pooling_2d: outsize must be a positive int, got 0",
     lambda: F.roi_max_pooling_2d(X, BOX, ONE, (0, 2), 1.0)),
    (ValueError, r"roi_average_pooling_2d: outsize must be an int or a pair",
     lambda: F.roi_average_pooling_2d(X, BOX, ONE, (1, 2, 3), 1.0)),  # type: ignore[arg-type]  # the mistake
    (TypeError, r"roi_pooling_2d: outw must be an int, got float", lambda: F.roi_pooling_2d(
        X, numpy.zeros((1, 5), numpy.float32), 2, 2.0, 1.0)),  # type: ignore[arg-type]  # the mistake
    (ValueError, r"roi_max_pooling_2d: spatial_scale must be a positive number, got 0",
     lambda: F.roi_max_pooling_2d(X, BOX, ONE, 2, 0.0)),
    (TypeError, r"roi_max_pooling_2d: spatial_scale must be a real number, got str",
     lambda: F.roi_max_pooling_2d(X, BOX, ONE, 2, "1")),  # type: ignore[arg-type]  # the mistake
    (ValueError, r"roi_average_align_2d: sampling_ratio must be None, an int >= 1 or a pair of those",
     lambda: F.roi_average_align_2d(X, BOX, ONE, 2, 1.0, 0)),
    (TypeError, r"roi_max_align_2d: rois must be a Variable, numpy.ndarray or cupy.ndarray, got list",
     lambda: F.roi_max_align_2d(X, [[0.0, 0.0, 1.0, 1.0]], ONE, 2, 1.0)),  # type: ignore[arg-type]  # the mistake
    (DTypeError, r"roi_max_pooling_2d", lambda: F.roi_max_pooling_2d(X, BOX.astype(numpy.float64), ONE, 2, 1.0)),
]


@pytest.mark.parametrize("error, message, call", BAD, ids=[m.split(":")[0] + str(i) for i, (_, m, _) in
                                                          enumerate(BAD)])
def test_bad_arguments_are_refused_by_name(error: type[Exception], message: str,
                                           call: Callable[[], object]) -> None:
    with pytest.raises(error, match=message):
        call()

"""roi_average_pooling_2d(x, rois, roi_indices, outsize, spatial_scale): each ROI
of x cut into ``outsize`` bins of whole pixels, each bin's mean (Fast R-CNN's ROI
pooling with a mean).

``rois`` ``(R, 4)`` holds ``(y_min, x_min, y_max, x_max)`` in the coordinates of
the image x was computed from; ``spatial_scale`` maps them to x's pixels, where
they are rounded (half to even).  ``roi_indices`` ``(R,)`` names each ROI's image
in x's batch.  The output is ``(R, C, out_h, out_w)``; a bin outside the image is
0.  The bins are ``_roi_geometry``'s, the rule ``_roi_linear``'s separable map.
Only x has a gradient; like Chainer 7's function (old style), the op is not
differentiable twice.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.pooling._roi_args import OutSize, RoiParams, check_rois, roi_params
from fchain.ops.pooling._roi_cases import loose_rois
from fchain.ops.pooling._roi_geometry import bin_band, bin_matrix, pooling_bins, window
from fchain.ops.pooling._roi_linear import SeparableMap, apply_map, transpose_map
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = ["ROI_AVERAGE_POOLING_2D", "roi_average_pooling_2d"]


def _map(xp: ArrayNamespace, rois: Array, index: Array, p: RoiParams, dtype: DTypeLike) -> SeparableMap:
    _, _, h, w = p.x_shape
    s = rois.astype(xp.float64) * p.spatial_scale
    row_lo, row_n = pooling_bins(xp, s[:, 0], s[:, 2], p.outh, h)
    col_lo, col_n = pooling_bins(xp, s[:, 1], s[:, 3], p.outw, w)
    first, weights = bin_band(xp, row_lo, row_n)
    count = xp.maximum(row_n[:, :, None] * col_n[:, None, :], 1)
    col_first, cols = window(xp, bin_matrix(xp, col_lo, col_n, w))
    return SeparableMap(first, weights.astype(dtype), col_first, cols.astype(dtype), count.astype(dtype),
                        index.astype(xp.int64))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: RoiParams) -> Forwarded:
    x, rois, index = inputs
    return (apply_map(xp, x, _map(xp, rois, index, p, x.dtype)),), (rois, index)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RoiParams) -> Grads:
    rois, index = residuals
    gy = grads[0]
    return transpose_map(xp, gy, _map(xp, rois, index, p, gy.dtype), p.x_shape), None, None


def _sample(draw: Draw) -> Case:
    case, rois = loose_rois(draw)

    def call(x: Variable, rois: Variable, index: Variable) -> Variable:
        return roi_average_pooling_2d(x, rois, index, case.outsize, case.spatial_scale)

    return Case((case.x, rois, case.indices), call, check=(0,))


ROI_AVERAGE_POOLING_2D: OpDef[RoiParams] = register(OpDef(
    "roi_average_pooling_2d", _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "rois", "roi_indices"), check=check_rois, float_inputs=(0, 1),
    double_differentiable=False, broadcasts=False))


def roi_average_pooling_2d(x: VariableLike, rois: VariableLike, roi_indices: VariableLike, outsize: OutSize,
                           spatial_scale: float) -> Variable:
    """The mean of each of ``outsize`` pixel bins of each ROI (see the module
    docstring): ``(R, C, out_h, out_w)``."""
    params = roi_params("roi_average_pooling_2d", outsize, spatial_scale)
    return apply(ROI_AVERAGE_POOLING_2D, (x, rois, roi_indices), params)

"""roi_max_pooling_2d(x, rois, roi_indices, outsize, spatial_scale): each ROI of x
cut into ``outsize`` bins of whole pixels, each bin's maximum (Fast R-CNN's ROI
pooling).

``rois`` ``(R, 4)`` holds ``(y_min, x_min, y_max, x_max)`` in the coordinates of
the image x was computed from; ``spatial_scale`` maps them to x's pixels, where
they are rounded (half to even).  ``roi_indices`` ``(R,)`` names each ROI's image
in x's batch.  The output is ``(R, C, out_h, out_w)``; a bin outside the image is
``-inf`` (Chainer 7 on the CPU).  Ties: the gradient goes to the first maximum in
raster order of the bin.  The rules are ``_roi_max``'s.  Only x has a gradient;
like Chainer 7's function (old style), the op is not differentiable twice.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.pooling._roi_args import OutSize, RoiParams, check_rois, roi_params
from fchain.ops.pooling._roi_cases import inside_rois
from fchain.ops.pooling._roi_geometry import pooling_bins
from fchain.ops.pooling._roi_max import max_bins, max_bins_grad
from fchain.types import ArrayNamespace

__all__ = ["ROI_MAX_POOLING_2D", "roi_max_pooling_2d"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: RoiParams) -> Forwarded:
    x, rois, index = inputs
    _, _, h, w = x.shape
    s = rois.astype(xp.float64) * p.spatial_scale
    image = index.astype(xp.int64)
    rows = pooling_bins(xp, s[:, 0], s[:, 2], p.outh, h)
    cols = pooling_bins(xp, s[:, 1], s[:, 3], p.outw, w)
    y, pixel = max_bins(xp, x, image, *rows, *cols)
    return (y,), (image, pixel)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RoiParams) -> Grads:
    image, pixel = residuals
    return max_bins_grad(xp, grads[0], image, pixel, p.x_shape), None, None


def _sample(draw: Draw) -> Case:
    case, rois = inside_rois(draw)

    def call(x: Variable, rois: Variable, index: Variable) -> Variable:
        return roi_max_pooling_2d(x, rois, index, case.outsize, case.spatial_scale)

    return Case((case.x, rois, case.indices), call, check=(0,))


ROI_MAX_POOLING_2D: OpDef[RoiParams] = register(OpDef(
    "roi_max_pooling_2d", _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "rois", "roi_indices"), check=check_rois, float_inputs=(0, 1),
    double_differentiable=False, broadcasts=False))


def roi_max_pooling_2d(x: VariableLike, rois: VariableLike, roi_indices: VariableLike, outsize: OutSize,
                       spatial_scale: float) -> Variable:
    """The maximum of each of ``outsize`` pixel bins of each ROI (see the module
    docstring): ``(R, C, out_h, out_w)``."""
    params = roi_params("roi_max_pooling_2d", outsize, spatial_scale)
    return apply(ROI_MAX_POOLING_2D, (x, rois, roi_indices), params)

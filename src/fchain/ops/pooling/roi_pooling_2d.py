"""roi_pooling_2d(x, rois, outh, outw, spatial_scale): Chainer's first ROI max
pooling, kept for the code that calls it.

It differs from ``roi_max_pooling_2d`` in three ways, all Chainer 7's: ``rois``
is ``(R, 5)``, each row ``(batch_index, x_min, y_min, x_max, y_max)`` (the image
index first, then x before y); a ROI spans ``max_y - min_y + 1`` pixels (its
ends included) after rounding; and a bin outside the image is 0, not ``-inf``.
The output size is given as ``outh, outw``.  Ties: the gradient goes to the
first maximum in raster order of the bin.  Only x has a gradient, and the op is
not differentiable twice (Chainer's grad node raises on it).
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.pooling._roi_args import RoiParams, check_rois, roi_params
from fchain.ops.pooling._roi_cases import inside_rois
from fchain.ops.pooling._roi_geometry import pooling_bins
from fchain.ops.pooling._roi_max import max_bins, max_bins_grad
from fchain.types import ArrayNamespace

__all__ = ["ROI_POOLING_2D", "roi_pooling_2d"]


def _forward(xp: ArrayNamespace, inputs: Inputs, p: RoiParams) -> Forwarded:
    x, rois = inputs
    _, _, h, w = x.shape
    s = rois.astype(xp.float64) * p.spatial_scale
    image = rois[:, 0].astype(xp.int64)
    rows = pooling_bins(xp, s[:, 2], s[:, 4], p.outh, h, plus_one=True)
    cols = pooling_bins(xp, s[:, 1], s[:, 3], p.outw, w, plus_one=True)
    y, pixel = max_bins(xp, x, image, *rows, *cols)
    return (xp.where(pixel >= 0, y, 0.0),), (image, pixel)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RoiParams) -> Grads:
    image, pixel = residuals
    return max_bins_grad(xp, grads[0], image, pixel, p.x_shape), None


def _sample(draw: Draw) -> Case:
    case, rois = inside_rois(draw)
    # Chainer's layout: the image index, then (x_min, y_min, x_max, y_max)
    table = draw.floats((rois.shape[0], 5))
    table[:, 0] = case.indices
    table[:, 1], table[:, 2], table[:, 3], table[:, 4] = rois[:, 1], rois[:, 0], rois[:, 3], rois[:, 2]

    def call(x: Variable, rois: Variable) -> Variable:
        return roi_pooling_2d(x, rois, case.outsize[0], case.outsize[1], case.spatial_scale)

    return Case((case.x, table), call, check=(0,))


ROI_POOLING_2D: OpDef[RoiParams] = register(OpDef(
    "roi_pooling_2d", _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "rois"), check=check_rois, float_inputs=(0, 1),
    double_differentiable=False, broadcasts=False))


def roi_pooling_2d(x: VariableLike, rois: VariableLike, outh: int, outw: int, spatial_scale: float) -> Variable:
    """The maximum of each of ``outh`` x ``outw`` pixel bins of each ROI, rois
    ``(R, 5)`` (see the module docstring): ``(R, C, outh, outw)``."""
    params = roi_params("roi_pooling_2d", outh, spatial_scale, outw=outw)
    return apply(ROI_POOLING_2D, (x, rois), params)

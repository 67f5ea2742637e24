"""roi_average_align_2d(x, rois, roi_indices, outsize, spatial_scale,
sampling_ratio=None): Mask R-CNN's ROI Align with a mean: each ROI of x cut into
``outsize`` equal bins (not rounded to pixels), each bin the mean of x
interpolated bilinearly at a grid of sample points.

``rois`` ``(R, 4)`` holds ``(y_min, x_min, y_max, x_max)``, scaled to x's pixels
by ``spatial_scale``; ``roi_indices`` ``(R,)`` names each ROI's image.  A bin has
``sampling_ratio`` samples per axis (an int, a pair, ``None`` for
``ceil(bin size)``), at the centres of a regular grid; a sample more than a pixel
outside the image reads 0 but still counts in the mean (Chainer's arithmetic,
``_roi_geometry``).  The output is ``(R, C, out_h, out_w)``.  The mean is linear
in x: ``_roi_linear``'s separable map, whose row and column weights are the
samples' interpolation weights summed per pixel.  Chainer 7 takes float32 only;
fchain takes any float dtype (x and rois alike).  Only x has a gradient; like
Chainer's function (old style), the op is not differentiable twice.
"""

from __future__ import annotations

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops.pooling._roi_args import OutSize, RoiParams, SamplingRatio, check_rois, roi_params
from fchain.ops.pooling._roi_cases import loose_rois
from fchain.ops.pooling._roi_geometry import align_matrix, align_samples, band, window
from fchain.ops.pooling._roi_linear import SeparableMap, apply_map, transpose_map
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = ["ROI_AVERAGE_ALIGN_2D", "roi_average_align_2d"]


def _map(xp: ArrayNamespace, rois: Array, index: Array, p: RoiParams, dtype: DTypeLike) -> SeparableMap:
    _, _, h, w = p.x_shape
    s = rois.astype(xp.float64) * p.spatial_scale
    ys = align_samples(xp, s[:, 0], s[:, 2], p.outh, h, p.sampling_ratio[0])
    xs = align_samples(xp, s[:, 1], s[:, 3], p.outw, w, p.sampling_ratio[1])
    first, weights = band(xp, align_matrix(xp, ys, h))
    count = xp.broadcast_to(xp.reshape(ys.grid * xs.grid, (-1, 1, 1)), (rois.shape[0], p.outh, p.outw))
    col_first, cols = window(xp, align_matrix(xp, xs, w))
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
    ratio = draw.choice([None, 1, 2, (2, 1)])

    def call(x: Variable, rois: Variable, index: Variable) -> Variable:
        return roi_average_align_2d(x, rois, index, case.outsize, case.spatial_scale, ratio)

    return Case((case.x, rois, case.indices), call, check=(0,))


ROI_AVERAGE_ALIGN_2D: OpDef[RoiParams] = register(OpDef(
    "roi_average_align_2d", _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "rois", "roi_indices"), check=check_rois, float_inputs=(0, 1),
    double_differentiable=False, broadcasts=False))


def roi_average_align_2d(x: VariableLike, rois: VariableLike, roi_indices: VariableLike, outsize: OutSize,
                         spatial_scale: float, sampling_ratio: SamplingRatio = None) -> Variable:
    """The mean of bilinear samples in each of ``outsize`` bins of each ROI (see
    the module docstring): ``(R, C, out_h, out_w)``."""
    params = roi_params("roi_average_align_2d", outsize, spatial_scale, sampling_ratio)
    return apply(ROI_AVERAGE_ALIGN_2D, (x, rois, roi_indices), params)

"""roi_max_align_2d(x, rois, roi_indices, outsize, spatial_scale,
sampling_ratio=None): ROI Align with a maximum: each ROI of x cut into
``outsize`` equal bins (not rounded to pixels), each bin the largest of x's
bilinear interpolations at a grid of sample points.

The ROIs, indices, bins and samples are ``roi_average_align_2d``'s
(``_roi_geometry``); samples more than a pixel outside the image are skipped, and
a bin with none is ``-inf`` (Chainer 7 on the CPU).  Ties: the first sample in
raster order of the bin's grid wins; the gradient goes to its four pixels by
their interpolation weights.  The rules are ``_roi_max``'s.  Chainer 7 takes
float32 only; fchain takes any float dtype.  Only x has a gradient; like
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
from fchain.ops.pooling._roi_cases import aligned_rois, inside_rois
from fchain.ops.pooling._roi_geometry import Samples, align_samples
from fchain.ops.pooling._roi_max import max_align, max_align_grad
from fchain.types import Array, ArrayNamespace

__all__ = ["ROI_MAX_ALIGN_2D", "roi_max_align_2d"]


def _samples(xp: ArrayNamespace, rois: Array, p: RoiParams) -> tuple[Samples, Samples]:
    _, _, h, w = p.x_shape
    s = rois.astype(xp.float64) * p.spatial_scale
    return (align_samples(xp, s[:, 0], s[:, 2], p.outh, h, p.sampling_ratio[0]),
            align_samples(xp, s[:, 1], s[:, 3], p.outw, w, p.sampling_ratio[1]))


def _forward(xp: ArrayNamespace, inputs: Inputs, p: RoiParams) -> Forwarded:
    x, rois, index = inputs
    image = index.astype(xp.int64)
    y, arg_iy, arg_ix = max_align(xp, x, image, *_samples(xp, rois, p))
    return (y,), (rois, image, arg_iy, arg_ix)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: RoiParams) -> Grads:
    rois, image, arg_iy, arg_ix = residuals
    ys, xs = _samples(xp, rois, p)
    return max_align_grad(xp, grads[0], image, ys, xs, arg_iy, arg_ix, p.x_shape), None, None


def _sample(draw: Draw) -> Case:
    if draw.boolean():  # samples on pixels: a true maximum among several per bin
        case, rois, ratio = aligned_rois(draw)
    else:  # one sample per bin anywhere inside the image: its interpolation weights
        case, rois = inside_rois(draw, margin=1)
        ratio = 1

    def call(x: Variable, rois: Variable, index: Variable) -> Variable:
        return roi_max_align_2d(x, rois, index, case.outsize, case.spatial_scale, ratio)

    return Case((case.x, rois, case.indices), call, check=(0,))


ROI_MAX_ALIGN_2D: OpDef[RoiParams] = register(OpDef(
    "roi_max_align_2d", _forward, _vjp, GradSpec(_sample, double=False),
    arg_names=("x", "rois", "roi_indices"), check=check_rois, float_inputs=(0, 1),
    double_differentiable=False, broadcasts=False))


def roi_max_align_2d(x: VariableLike, rois: VariableLike, roi_indices: VariableLike, outsize: OutSize,
                     spatial_scale: float, sampling_ratio: SamplingRatio = None) -> Variable:
    """The largest bilinear sample in each of ``outsize`` bins of each ROI (see the
    module docstring): ``(R, C, out_h, out_w)``."""
    params = roi_params("roi_max_align_2d", outsize, spatial_scale, sampling_ratio)
    return apply(ROI_MAX_ALIGN_2D, (x, rois, roi_indices), params)

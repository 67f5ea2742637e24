"""The arguments the ROI pooling functions share, checked once for all five.

``RoiParams`` is what every ROI op's rules receive: the output size, the scale
from ROI coordinates to x's pixels, the align functions' ``sampling_ratio`` and
x's shape (the backward builds a gradient of that shape without keeping x).
``check_rois`` is the ops' declared array check: x ``(N, C, H, W)``, rois
``(R, 4)`` (``(R, 5)`` for ``roi_pooling_2d``) and ``roi_indices`` ``(R,)``
integers naming images of x; Chainer's own checks say the same, as type errors
without the values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fchain.core import backend
from fchain.errors import DTypeError, ShapeError
from fchain.ops._common import Inputs, describe, int_arg, is_integer, real_arg
from fchain.types import Shape

__all__ = ["OutSize", "RoiParams", "SamplingRatio", "check_rois", "roi_params"]

OutSize = int | tuple[int, int]
"""``outsize``: ``(out_h, out_w)``, or one int for both."""

SamplingRatio = int | tuple[int | None, int | None] | None
"""``sampling_ratio`` of the align functions: samples per bin along (y, x); ``None``
(per axis or for both) takes ``ceil(roi size / outsize)`` for each ROI."""


@dataclass(frozen=True, slots=True)
class RoiParams:
    """One ROI pooling call: the function's name (for messages), the output size,
    ``spatial_scale``, the align functions' sampling ratio (``None`` per axis:
    by the ROI's size) and x's shape (set by ``check_rois``)."""

    fn: str
    outh: int
    outw: int
    spatial_scale: float
    sampling_ratio: tuple[int | None, int | None] = (None, None)
    x_shape: Shape = ()


def _positive_int(fn: str, arg: str, value: object) -> int:
    n = int_arg(fn, arg, value)
    if n <= 0:
        raise ValueError(f"{fn}: {arg} must be a positive int, got {n}")
    return n


def _pair(fn: str, arg: str, value: object) -> tuple[object, object]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{fn}: {arg} must be an int or a pair (height, width), got {describe(value)}")
        return value[0], value[1]
    return value, value


def roi_params(fn: str, outsize: object, spatial_scale: object, sampling_ratio: object = None,
               outw: object = None) -> RoiParams:
    """``RoiParams`` from the public arguments: ``outsize`` an int or a pair (or, for
    ``roi_pooling_2d``, ``outh`` with ``outw`` given), ``spatial_scale`` a positive
    real, ``sampling_ratio`` ``None``, an int >= 1 or a pair of those."""
    if outw is None:
        h, w = _pair(fn, "outsize", outsize)
        outh_, outw_ = _positive_int(fn, "outsize", h), _positive_int(fn, "outsize", w)
    else:
        outh_, outw_ = _positive_int(fn, "outh", outsize), _positive_int(fn, "outw", outw)
    scale = real_arg(fn, "spatial_scale", spatial_scale)
    if not scale > 0:
        raise ValueError(f"{fn}: spatial_scale must be a positive number, got {scale}")
    ratios: list[int | None] = []
    for r in _pair(fn, "sampling_ratio", sampling_ratio):
        if r is None:
            ratios.append(None)
        elif is_integer(r) and int_arg(fn, "sampling_ratio", r) >= 1:
            ratios.append(int_arg(fn, "sampling_ratio", r))
        else:
            raise ValueError(f"{fn}: sampling_ratio must be None, an int >= 1 or a pair of those, "
                             f"got {describe(sampling_ratio)}")
    return RoiParams(fn, outh_, outw_, scale, (ratios[0], ratios[1]))


def check_rois(arrays: Inputs, p: RoiParams) -> RoiParams:
    """Raise for arrays the rules would misread; the params with x's shape."""
    fn = p.fn
    x, rois = arrays[0], arrays[1]
    if x.ndim != 4:
        raise ShapeError(f"{fn}: x must be 4-d (batch, channel, height, width), got shape {tuple(x.shape)}")
    if 0 in tuple(x.shape[2:]):
        raise ShapeError(f"{fn}: x has an empty image (shape {tuple(x.shape)})")
    width = 5 if len(arrays) == 2 else 4
    layout = "(batch_index, x_min, y_min, x_max, y_max)" if width == 5 else "(y_min, x_min, y_max, x_max)"
    if rois.ndim != 2 or rois.shape[1] != width:
        raise ShapeError(f"{fn}: rois must have shape (R, {width}), one {layout} per row, "
                         f"got {tuple(rois.shape)}")
    if width == 5:
        index = rois[:, 0]
    else:
        index = arrays[2]
        if index.dtype.kind not in "iu":
            raise DTypeError(f"{fn}: roi_indices must hold integers, got dtype {index.dtype}")
        if index.shape != (rois.shape[0],):
            raise ShapeError(f"{fn}: roi_indices must have shape (R,) = ({rois.shape[0]},), one image "
                             f"index per ROI, got {tuple(index.shape)}")
    if index.size:
        lo, hi = float(backend.to_numpy(index.min())), float(backend.to_numpy(index.max()))
        if lo < 0 or hi >= x.shape[0]:
            what = "rois[:, 0]" if width == 5 else "roi_indices"
            raise ValueError(f"{fn}: {what} must name images of x, in [0, {x.shape[0]}), "
                             f"got values from {lo:g} to {hi:g}")
    return replace(p, x_shape=tuple(x.shape))

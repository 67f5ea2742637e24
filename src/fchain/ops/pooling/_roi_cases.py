"""What the property tests of the ROI functions feed them (``GradSpec`` samples).

Only x is differentiated (Chainer gives the ROIs no gradient), so the cases keep
x's gradient smooth: max pooling reads ``distinct`` x (no ties) through ROIs
inside the image (no empty bin, whose ``-inf`` has no numerical gradient), with
corners at least 0.1 from a rounding tie; the averages are linear in x and take
any ROI, outside the image too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fchain.core.spec import Draw
from fchain.types import Array

__all__ = ["RoiCase", "aligned_rois", "inside_rois", "loose_rois"]


@dataclass(frozen=True, slots=True)
class RoiCase:
    """x ``(N, C, H, W)``, ``roi_indices`` ``(R,)`` and the call's scalars."""

    x: Array
    indices: Array
    outsize: tuple[int, int]
    spatial_scale: float


def _case(draw: Draw, distinct: bool) -> RoiCase:
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    shape = (n, c, draw.integer(2, 5), draw.integer(2, 5))
    x = draw.distinct(shape) if distinct else draw.floats(shape)
    r = draw.integer(1, 3)
    return RoiCase(x, draw.integers((r,), 0, n - 1), (draw.integer(1, 3), draw.integer(1, 3)),
                   draw.choice([1.0, 0.5]))


def inside_rois(draw: Draw, margin: int = 0) -> tuple[RoiCase, Array]:
    """A case with ``distinct`` x and ROIs ``(R, 4)`` whose corners round into the
    image (so every bin holds a pixel), each 0.1 to 0.4 past a pixel at
    ``spatial_scale``, and ``margin`` pixels before the last (a malformed ROI,
    end before start, spans one pixel from its start: its align samples then
    stay inside the image with a margin of 1)."""
    case = _case(draw, True)
    r, (h, w) = case.indices.shape[0], case.x.shape[2:]
    cells = draw.integers((r, 4), 0, min(h, w) - 1 - margin)
    return case, (cells + draw.floats((r, 4), 0.1, 0.4)) / case.spatial_scale


def loose_rois(draw: Draw) -> tuple[RoiCase, Array]:
    """A case (x not distinct) and ROIs anywhere from 1.5 pixels before the image
    to 1.5 after it (malformed ones, ends before starts, included)."""
    case = _case(draw, False)
    r, (h, w) = case.indices.shape[0], case.x.shape[2:]
    size = max(h, w)
    return case, draw.floats((r, 4), -1.5, size + 0.5) / case.spatial_scale


def aligned_rois(draw: Draw) -> tuple[RoiCase, Array, int]:
    """A case with ``distinct`` x and ROIs whose align samples (``g`` per bin and
    axis, the returned sampling ratio) fall on pixels exactly: a ROI starting half
    a pixel before pixel ``k`` with bins ``g`` pixels wide samples ``k, k + 1, ...``,
    so no two samples tie."""
    case = _case(draw, True)
    g = draw.integer(1, 2)
    h, w = case.x.shape[2:]
    p, q = min(case.outsize[0], h // g), min(case.outsize[1], w // g)
    case = replace(case, outsize=(p, q))
    r = case.indices.shape[0]
    start_y = draw.integers((r, 1), 0, h - p * g) - 0.5
    start_x = draw.integers((r, 1), 0, w - q * g) - 0.5
    rois = draw.floats((r, 4))
    rois[:, 0:1], rois[:, 1:2] = start_y, start_x
    rois[:, 2:3], rois[:, 3:4] = start_y + p * g, start_x + q * g
    return case, rois / case.spatial_scale, g

"""resize_images(x, output_shape, *, mode='bilinear', align_corners=True): images
``(B, C, H, W)`` resized to ``(B, C, out_H, out_W)``.

Where output pixel ``(i, j)`` samples the input, and with which weights, is
Chainer's rule (``_corners``): ``'bilinear'`` interpolates between the four pixels
around ``(v_i, u_j)`` (with ``align_corners`` the corners of input and output
coincide, ``v_i = i * (H - 1) / (out_H - 1)``; without, OpenCV's half-pixel
rule); ``'nearest'`` takes pixel ``(floor(i * H / out_H), floor(j * W / out_W))``.
Positions are computed in float64 and the weights rounded to x's dtype, as
Chainer.

The resize is linear in x with constant weights (``_bilinear.py``): the forward
gathers the four corners and sums them weighted; the VJP scatters ``gy`` back
with the same weights (in float64, rounded once, as Chainer's CPU path), recorded
as ``get_item_grad`` under double backprop, so every order of derivative is
available, as in Chainer (whose ``ResizeImagesGrad`` differentiates to
``ResizeImages``).  Residuals: none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from fchain.core import backend
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import DTypeError, ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable, as_array
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike, bool_arg, name_arrays, shape_arg
from fchain.ops.array._bilinear import Corners, gather, spread
from fchain.ops.array._scatter import scatter_flat, scatter_flat_recorded
from fchain.types import Array, ArrayNamespace, DTypeLike, Shape

__all__ = ["RESIZE_IMAGES", "ResizeParams", "resize_images"]


@dataclass(frozen=True, slots=True, eq=False)
class ResizeParams:
    """``corners``: where each output pixel samples and with which weights;
    ``planes``: the flat start of each of the ``B * C`` image planes, ``(B * C, 1)``."""

    corners: Corners
    planes: Array
    in_shape: Shape


def _forward(xp: ArrayNamespace, inputs: Inputs, p: ResizeParams) -> Forwarded:
    return (gather(xp, inputs[0], p.corners),), ()


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ResizeParams) -> Grads:
    return (spread(xp, grads[0], p.corners, p.planes, p.in_shape, scatter_flat),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ResizeParams) -> Grads:
    """Second order: the scatter is the op ``get_item_grad``."""
    return (spread(xp, grads[0], p.corners, p.planes, p.in_shape, scatter_flat_recorded),)


def _sample(draw: Draw) -> Case:
    shape = (draw.integer(1, 2), draw.integer(1, 2), draw.integer(1, 4), draw.integer(1, 4))
    out = (draw.integer(1, 5), draw.integer(1, 5))
    mode: Literal["bilinear", "nearest"] = draw.choice(["bilinear", "nearest"])
    align = draw.boolean()
    return Case((draw.floats(shape),), lambda x: resize_images(x, out, mode=mode, align_corners=align))


RESIZE_IMAGES: OpDef[ResizeParams] = register(OpDef(
    "resize_images", _forward, _vjp, GradSpec(_sample), broadcasts=False, second_order_vjp=_vjp_recorded))


def _positions(xp: ArrayNamespace, n_out: int, n_in: int, mode: str, align_corners: bool) -> tuple[Array, Array]:
    """Chainer's sampling positions along one axis, in float64: the integer parts
    (the first corner) and the fractions (the second corner's weight)."""
    i = xp.asarray(xp.arange(n_out), dtype=xp.float64)
    if mode == "nearest":
        base = xp.minimum(xp.asarray(xp.asarray(i * (n_in / n_out), dtype=xp.int64), dtype=xp.float64), n_in - 1)
        return base, xp.zeros_like(base)
    if align_corners:  # numpy's linspace(0, n_in - 1, n_out): i * step, the last one exactly n_in - 1
        pos = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else i * (n_in - 1)
        if n_out > 1:
            pos = xp.concatenate([pos[:-1], xp.full((1,), float(n_in - 1), dtype=xp.float64)])
    else:
        pos = xp.maximum((i + 0.5) * (n_in / n_out) - 0.5, 0.0)
    whole = xp.asarray(xp.asarray(pos, dtype=xp.int64), dtype=xp.float64)  # pos >= 0: truncation is floor
    return whole, pos - whole


def _corners(xp: ArrayNamespace, in_hw: Shape, out_hw: Shape, mode: str, align_corners: bool,
             dtype: DTypeLike) -> Corners:
    (h, w), (out_h, out_w) = in_hw, out_hw
    v, vw = _positions(xp, out_h, h, mode, align_corners)
    u, uw = _positions(xp, out_w, w, mode, align_corners)
    v0, u0 = xp.asarray(v, dtype=xp.int64), xp.asarray(u, dtype=xp.int64)
    v1, u1 = xp.minimum(v0 + 1, h - 1), xp.minimum(u0 + 1, w - 1)
    vw, uw = xp.asarray(vw, dtype=dtype)[:, None], xp.asarray(uw, dtype=dtype)[None, :]
    # Chainer's weights, in x's dtype: right = uw, left = 1 - uw; bottom = side * vw, top = side - bottom
    left = 1 - uw
    bottom_left, bottom_right = left * vw, uw * vw
    weights = xp.stack([xp.broadcast_to(left - bottom_left, (out_h, out_w)),
                        xp.broadcast_to(uw - bottom_right, (out_h, out_w)), bottom_left, bottom_right])
    rows = xp.stack([v0, v0, v1, v1])[:, :, None]
    cols = xp.stack([u0, u1, u0, u1])[:, None, :]
    return Corners(rows, cols, weights, xp.reshape(rows * w + cols, (-1,)))


def resize_images(x: VariableLike, output_shape: Sequence[int], *,
                  mode: Literal["bilinear", "nearest"] = "bilinear", align_corners: bool = True) -> Variable:
    """Resize images ``x`` of shape ``(B, C, H, W)`` to ``output_shape = (out_H, out_W)``.

    ``mode``: ``'bilinear'`` or ``'nearest'``.  ``align_corners``: map the corner
    pixels of input and output onto each other (True), or use OpenCV's half-pixel
    centres (False).  Unlike Chainer's (float32 only), any floating dtype works.
    """
    try:
        data = as_array(x)
    except TypeError:
        name_arrays("resize_images", ("x", x))
        raise
    shape = tuple(data.shape)
    if len(shape) != 4:
        raise ShapeError(f"resize_images: x must be 4-d (batch, channel, height, width), got shape {shape}")
    out = shape_arg("resize_images", "output_shape", output_shape)
    if len(out) != 2 or min(out) < 1:
        raise ShapeError(f"resize_images: output_shape must be two positive ints (out_H, out_W), got {out}")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"resize_images: mode must be 'bilinear' or 'nearest', got {mode!r}")
    if type(align_corners) is not bool:
        align_corners = bool_arg("resize_images", "align_corners", align_corners)
    if data.dtype.kind != "f":
        raise DTypeError(f"resize_images: x must be a floating-point array, got dtype {data.dtype}")
    xp = backend.namespace_of(data)
    corners = _corners(xp, shape[2:], out, mode, align_corners, data.dtype)
    planes = xp.reshape(xp.arange(shape[0] * shape[1]) * (shape[2] * shape[3]), (-1, 1))
    return apply(RESIZE_IMAGES, (x,), ResizeParams(corners, planes, shape))

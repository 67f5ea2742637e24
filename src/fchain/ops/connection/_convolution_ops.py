"""The three convolution ops, each the others' backward (so every order of
derivative exists, as in Chainer):

* ``convolution_nd(x, W, b)``: ``y = conv(x, W) + b``; VJP ``gx = deconv(gy, W)``,
  ``gW = conv_grad_W(x, gy)``, ``gb = sum(gy)`` over batch and space;
* ``deconvolution_nd(x, W, b)``: the adjoint of ``conv`` in its input; VJP
  ``gx = conv(gy, W)``, ``gW = conv_grad_W(gy, x)``;
* ``convolution_nd_grad_W(x, gy)`` (internal): ``conv``'s gradient in ``W``, bilinear
  in ``(x, gy)``; VJP ``gx = deconv(gy, ggW)``, ``ggy = conv(x, ggW)``.

Every op carries its ``Windows`` (the geometry from the image side to the column
side), filled by the op's check from the arrays, so a backward op needs no size
computation: a deconvolution's windows are those of the convolution it inverts,
with ``size`` its output and ``out`` its input.  First-order rules call the array
computations of ``_conv_arrays`` directly (nothing but the inputs is kept for the
backward: a convolution's columns are built again, a chunk at a time, from the
cache, and both of its gradients come from one loop over ``gy``); the recorded
rules (double backprop) apply the ops.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.errors import ShapeError
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops._channel_sums import channel_sums
from fchain.ops._windows import Windows, conv_outsize, deconv_outsize
from fchain.ops.connection import _conv_arrays as arrays
from fchain.types import Array, ArrayNamespace, Shape

__all__ = [
    "CONVOLUTION_ND",
    "CONVOLUTION_ND_GRAD_W",
    "ConvParams",
    "DECONVOLUTION_ND",
    "DeconvParams",
    "GradWParams",
    "conv",
    "deconv",
]


@dataclass(frozen=True, slots=True)
class ConvParams:
    """``convolution_nd``'s arguments; ``grad_x``/``grad_W`` say whether ``x``/``W``
    may need a gradient (the backward skips what nobody reads: the input gradient
    of a first layer, whose input is data).  ``windows`` is filled by the check."""

    fn: str
    stride: Shape
    pad: Shape
    dilate: Shape
    groups: int
    cover_all: bool = False
    bias: bool = False
    grad_x: bool = True
    grad_W: bool = True
    windows: Windows | None = None


@dataclass(frozen=True, slots=True)
class DeconvParams:
    """``deconvolution_nd``'s arguments; ``outsize`` ``None`` is the smallest output
    whose windows number x's spatial size.  ``windows`` is filled by the check."""

    fn: str
    stride: Shape
    pad: Shape
    dilate: Shape
    groups: int
    outsize: Shape | None = None
    bias: bool = False
    grad_x: bool = True
    grad_W: bool = True
    windows: Windows | None = None


@dataclass(frozen=True, slots=True)
class GradWParams:
    """``convolution_nd_grad_W``: the convolution's windows, groups and W's shape."""

    windows: Windows
    groups: int
    W_shape: Shape


def _spatial_axes(ndim: int) -> tuple[int, ...]:
    return (0,) + tuple(range(2, 2 + ndim))


def _bias_view(b: Array, ndim: int) -> Array:
    return b.reshape((b.shape[0],) + (1,) * ndim)


def _need(p: ConvParams | DeconvParams) -> Windows:
    w = p.windows
    if w is None:  # the check always fills it; a direct forward call without it is a bug
        raise RuntimeError(f"{p.fn}: windows were not resolved by the check")
    return w


# ------------------------------------------------------------------ convolution
def _conv_forward(xp: ArrayNamespace, inputs: Inputs, p: ConvParams) -> Forwarded:
    x, W = inputs[0], inputs[1]
    y = arrays.forward(xp, x, W, _need(p), p.groups, inputs[2] if p.bias else None)
    return (y,), (x, W)


def _conv_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ConvParams) -> Grads:
    x, W = residuals
    gy = grads[0]
    w = _need(p)
    gx, gW, gb = arrays.backward(xp, gy, w, p.groups, x=x if p.grad_W else None, W=W if p.grad_x else None,
                                 bias=p.bias)
    if p.bias:
        return gx, gW, gb
    return gx, gW


def _conv_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: ConvParams) -> Grads:
    """Second order: the backward as ops (deconvolution and the filter gradient)."""
    x, W = cast(Variable, residuals[0]), cast(Variable, residuals[1])
    gy = cast(Variable, grads[0])
    w = _need(p)
    gx = deconv(gy, W, w, p.groups) if p.grad_x else None
    gW = _grad_W(x, gy, w, p.groups, tuple(W.shape)) if p.grad_W else None
    if p.bias:
        return gx, gW, xp.sum(grads[0], axis=_spatial_axes(w.ndim), keepdims=False)
    return gx, gW


def _shape_error(fn: str, message: str, x: Array, W: Array) -> ShapeError:
    return ShapeError(f"{fn}: {message} (x: shape {tuple(x.shape)}, W: shape {tuple(W.shape)})")


def _check_common(fn: str, x: Array, W: Array, groups: int, in_channels: int, what: str) -> int:
    """Checks shared by both directions; returns the number of spatial axes."""
    ndim = x.ndim - 2
    if ndim < 1:
        raise ShapeError(f"{fn}: x must be (batch, channels, *spatial) with at least one spatial axis, "
                         f"got shape {tuple(x.shape)}")
    if W.ndim != x.ndim:
        raise _shape_error(fn, f"W must have {x.ndim} dimensions like x ({what})", x, W)
    if x.shape[1] != in_channels:
        raise _shape_error(fn, f"x has {x.shape[1]} channels but W expects {in_channels} "
                           f"(groups={groups})", x, W)
    return ndim


def _check_bias(fn: str, arrays_: Inputs, channels: int) -> None:
    if len(arrays_) > 2 and tuple(arrays_[2].shape) != (channels,):
        raise ShapeError(f"{fn}: b has shape {tuple(arrays_[2].shape)}; expected ({channels},), "
                         "one bias per output channel")


def _conv_check(arrays_: Inputs, p: ConvParams) -> ConvParams:
    x, W = arrays_[0], arrays_[1]
    w = p.windows
    if w is not None and tuple(x.shape[2:]) == w.size and tuple(W.shape[2:]) == w.ksize \
            and x.shape[1] == W.shape[1] * p.groups:
        return p  # an internal call (a backward op) that carries its windows
    fn = p.fn
    ndim = _check_common(fn, x, W, p.groups, W.shape[1] * p.groups,
                         "(out_channels, in_channels / groups, *ksize)")
    if len(p.stride) != ndim:
        raise ShapeError(f"{fn}: x has {ndim} spatial axes but stride/pad/dilate have {len(p.stride)}")
    if W.shape[0] % p.groups:
        raise _shape_error(fn, f"W's {W.shape[0]} output channels are not divisible by groups={p.groups}",
                           x, W)
    _check_bias(fn, arrays_, W.shape[0])
    size, ksize = tuple(x.shape[2:]), tuple(W.shape[2:])
    out = tuple(conv_outsize(n, k, s, q, p.cover_all, d)
                for n, k, s, q, d in zip(size, ksize, p.stride, p.pad, p.dilate))
    if any(o <= 0 for o in out):
        raise _shape_error(fn, f"the output would be empty (spatial size {out}): the dilated kernel "
                           "is larger than the padded input", x, W)
    return replace(p, windows=Windows(size, ksize, p.stride, p.pad, p.dilate, out))


# ---------------------------------------------------------------- deconvolution
def _deconv_forward(xp: ArrayNamespace, inputs: Inputs, p: DeconvParams) -> Forwarded:
    x, W = inputs[0], inputs[1]
    w = _need(p)
    y = arrays.backward_data(xp, x, W, w, p.groups)
    if p.bias:
        y += _bias_view(inputs[2], w.ndim)
    return (y,), (x, W)


def _deconv_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: DeconvParams) -> Grads:
    x, W = residuals
    gy = grads[0]
    w = _need(p)
    gx = arrays.forward(xp, gy, W, w, p.groups) if p.grad_x else None
    gW = arrays.backward_filter(xp, gy, x, w, p.groups) if p.grad_W else None
    if p.bias:
        return gx, gW, channel_sums(xp, gy)
    return gx, gW


def _deconv_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: DeconvParams) -> Grads:
    """Second order: the backward as ops (convolution and the filter gradient)."""
    x, W = cast(Variable, residuals[0]), cast(Variable, residuals[1])
    gy = cast(Variable, grads[0])
    w = _need(p)
    gx = conv(gy, W, w, p.groups) if p.grad_x else None
    gW = _grad_W(gy, x, w, p.groups, tuple(W.shape)) if p.grad_W else None
    if p.bias:
        return gx, gW, xp.sum(grads[0], axis=_spatial_axes(w.ndim), keepdims=False)
    return gx, gW


def _deconv_check(arrays_: Inputs, p: DeconvParams) -> DeconvParams:
    x, W = arrays_[0], arrays_[1]
    w = p.windows
    if w is not None and tuple(x.shape[2:]) == w.out and tuple(W.shape[2:]) == w.ksize \
            and x.shape[1] == W.shape[0]:
        return p  # an internal call (a backward op) that carries its windows
    fn = p.fn
    ndim = _check_common(fn, x, W, p.groups, W.shape[0], "(in_channels, out_channels / groups, *ksize)")
    if len(p.stride) != ndim:
        raise ShapeError(f"{fn}: x has {ndim} spatial axes but stride/pad/dilate have {len(p.stride)}")
    if W.shape[0] % p.groups:
        raise _shape_error(fn, f"W's {W.shape[0]} input channels are not divisible by groups={p.groups}",
                           x, W)
    _check_bias(fn, arrays_, W.shape[1] * p.groups)
    size_in, ksize = tuple(x.shape[2:]), tuple(W.shape[2:])
    if p.outsize is None:
        outsize = tuple(deconv_outsize(n, k, s, q, False, d)
                        for n, k, s, q, d in zip(size_in, ksize, p.stride, p.pad, p.dilate))
    else:
        outsize = p.outsize
        if len(outsize) != ndim:
            raise ShapeError(f"{fn}: outsize {outsize} must have one entry per spatial axis ({ndim})")
        for axis, (n, o, k, s, q, d) in enumerate(zip(size_in, outsize, ksize, p.stride, p.pad, p.dilate)):
            low, high = conv_outsize(o, k, s, q, False, d), conv_outsize(o, k, s, q, True, d)
            if not low <= n <= high:
                raise _shape_error(fn, f"outsize {outsize} does not fit x: along spatial axis {axis} an "
                                   f"output of {o} has {low} to {high} windows, x has {n}", x, W)
    if any(o <= 0 for o in outsize):
        raise _shape_error(fn, f"the output would be empty (outsize {outsize})", x, W)
    return replace(p, windows=Windows(outsize, ksize, p.stride, p.pad, p.dilate, size_in))


# ------------------------------------------------------ the filter gradient (internal)
def _grad_W_forward(xp: ArrayNamespace, inputs: Inputs, p: GradWParams) -> Forwarded:
    x, gy = inputs
    return (arrays.backward_filter(xp, x, gy, p.windows, p.groups),), (x, gy)


def _grad_W_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GradWParams) -> Grads:
    x, gy = residuals
    ggW = grads[0]
    return (arrays.backward_data(xp, gy, ggW, p.windows, p.groups),
            arrays.forward(xp, x, ggW, p.windows, p.groups))


def _grad_W_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: GradWParams) -> Grads:
    x, gy = cast(Variable, residuals[0]), cast(Variable, residuals[1])
    ggW = cast(Variable, grads[0])
    return deconv(gy, ggW, p.windows, p.groups), conv(x, ggW, p.windows, p.groups)


# ------------------------------------------------------------------ internal calls
def conv(x: VariableLike, W: VariableLike, w: Windows, groups: int) -> Array:
    """``convolution_nd`` over known windows (a backward op's call)."""
    params = ConvParams("convolution_nd", w.stride, w.pad, w.dilate, groups, windows=w)
    return cast(Array, apply(CONVOLUTION_ND, (x, W), params))


def deconv(x: VariableLike, W: VariableLike, w: Windows, groups: int) -> Array:
    """``deconvolution_nd`` over known windows (a backward op's call)."""
    params = DeconvParams("deconvolution_nd", w.stride, w.pad, w.dilate, groups, w.size, windows=w)
    return cast(Array, apply(DECONVOLUTION_ND, (x, W), params))


def _grad_W(x: VariableLike, gy: VariableLike, w: Windows, groups: int, W_shape: Shape) -> Array:
    return cast(Array, apply(CONVOLUTION_ND_GRAD_W, (x, gy), GradWParams(w, groups, W_shape)))


# ------------------------------------------------------------------ test cases
def draw_windows(draw: Draw, ndim: int, cover_all: bool) -> Windows:
    """Small windows with at least one output position along every axis."""
    ksize = tuple(draw.integer(1, 3) for _ in range(ndim))
    stride = tuple(draw.integer(1, 2) for _ in range(ndim))
    dilate = tuple(draw.choice([1, 1, 2]) for _ in range(ndim))
    pad = tuple(draw.integer(0, k - 1) for k in ksize)
    size = tuple(max(1, d * (k - 1) + 1 - 2 * q) + draw.integer(0, 2)
                 for k, d, q in zip(ksize, dilate, pad))
    out = tuple(conv_outsize(n, k, s, q, cover_all, d)
                for n, k, s, q, d in zip(size, ksize, stride, pad, dilate))
    return Windows(size, ksize, stride, pad, dilate, out)


def _draw_channels(draw: Draw) -> tuple[int, int, int, int]:
    """Batch, groups, input and output channels per group."""
    return draw.integer(1, 2), draw.choice([1, 1, 2]), draw.integer(1, 2), draw.integer(1, 2)


def _sample_conv(draw: Draw) -> Case:
    ndim = draw.choice([1, 2, 2, 3])
    cover_all = draw.boolean()
    w = draw_windows(draw, ndim, cover_all)
    n, g, cg, og = _draw_channels(draw)
    x = draw.floats((n, g * cg) + w.size)
    W = draw.floats((g * og, cg) + w.ksize)

    def call(x: Variable, W: Variable, *b: Variable) -> Variable:
        params = ConvParams("convolution_nd", w.stride, w.pad, w.dilate, g, cover_all, bool(b))
        return apply(CONVOLUTION_ND, (x, W) + b, params)

    if draw.boolean():
        return Case((x, W, draw.floats((g * og,))), call)
    return Case((x, W), call)


def _sample_deconv(draw: Draw) -> Case:
    ndim = draw.choice([1, 2, 2, 3])
    cover_all = draw.boolean()
    w = draw_windows(draw, ndim, cover_all)
    n, g, cin, cout = _draw_channels(draw)
    x = draw.floats((n, g * cin) + w.out)
    W = draw.floats((g * cin, cout) + w.ksize)
    default = tuple(deconv_outsize(o, k, s, q, False, d)
                    for o, k, s, q, d in zip(w.out, w.ksize, w.stride, w.pad, w.dilate))
    outsize = w.size if draw.boolean() or min(default) < 1 else None

    def call(x: Variable, W: Variable, *b: Variable) -> Variable:
        params = DeconvParams("deconvolution_nd", w.stride, w.pad, w.dilate, g, outsize, bool(b))
        return apply(DECONVOLUTION_ND, (x, W) + b, params)

    if draw.boolean():
        return Case((x, W, draw.floats((g * cout,))), call)
    return Case((x, W), call)


def _sample_grad_W(draw: Draw) -> Case:
    ndim = draw.choice([1, 2])
    w = draw_windows(draw, ndim, draw.boolean())
    n, g, cg, og = _draw_channels(draw)
    x = draw.floats((n, g * cg) + w.size)
    gy = draw.floats((n, g * og) + w.out)
    W_shape = (g * og, cg) + w.ksize
    return Case((x, gy), lambda x, gy: _grad_W(x, gy, w, g, W_shape))


# float32: each output sums up to C k (here <= 2 * 27) products of O(1) values.
CONVOLUTION_ND: OpDef[ConvParams] = register(OpDef(
    "convolution_nd", _conv_forward, _conv_vjp, GradSpec(_sample_conv), arg_names=("x", "W", "b"),
    check=_conv_check, float_inputs=(0, 1, 2), broadcasts=False, second_order_vjp=_conv_vjp_recorded))
DECONVOLUTION_ND: OpDef[DeconvParams] = register(OpDef(
    "deconvolution_nd", _deconv_forward, _deconv_vjp, GradSpec(_sample_deconv), arg_names=("x", "W", "b"),
    check=_deconv_check, float_inputs=(0, 1, 2), broadcasts=False, second_order_vjp=_deconv_vjp_recorded))
CONVOLUTION_ND_GRAD_W: OpDef[GradWParams] = register(OpDef(
    "convolution_nd_grad_W", _grad_W_forward, _grad_W_vjp, GradSpec(_sample_grad_W), arg_names=("x", "gy"),
    float_inputs=(0, 1), broadcasts=False, second_order_vjp=_grad_W_vjp_recorded))

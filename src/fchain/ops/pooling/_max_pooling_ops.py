"""Max pooling's two ops, each the other's backward:

* ``max_pooling_nd(x)``: each window's maximum (padding reads ``-inf``).  VJP: ``gy``
  routed to the first maximum of its window in raster order of the kernel (Chainer's
  ``argmax`` convention for ties, tested exactly), found again from ``x`` and ``y``
  rather than stored: ``y`` is one pass of ``maximum`` per kernel offset and the
  backward one equality test per offset.  With ``indexes`` given in the params the
  op is instead the gather ``x`` at those window offsets (linear in ``x``).
* ``max_pooling_nd_grad(gy)`` (internal; also ``upsampling_2d``): the scatter of
  ``gy`` to the window offsets ``indexes``.  Its VJP is the gather, and the gather's
  is the scatter, so every order of derivative exists.

Both loop over the kernel's offsets only.  Where windows do not overlap (a stride
of at least the kernel, the usual 2x2 pooling) each input position gets its
gradient by one assignment instead of an addition, and where they also stay inside
``x`` the routing works on ``x`` in place, in its memory layout (``_route_in_place``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from fchain.core import backend, workspace
from fchain.core.op import OpDef
from fchain.core.registry import register
from fchain.core.spec import Case, Draw, GradSpec
from fchain.graph.apply import apply
from fchain.graph.variable import Variable
from fchain.ops._common import Forwarded, Grads, Inputs, VariableLike
from fchain.ops._windows import Windows, conv_outsize, interior, offsets, overlapping, padded, product
from fchain.types import Array, ArrayNamespace

__all__ = ["MAX_POOLING_ND", "MAX_POOLING_ND_GRAD", "MaxPoolParams", "first_argmax", "max_pool"]

_NEG_INF = float("-inf")


@dataclass(frozen=True, slots=True, eq=False)
class MaxPoolParams:
    """The pooling's windows; ``indexes`` (the window offset of each output, an
    integer array shaped like the output) makes the ops a gather and a scatter."""

    fn: str
    windows: Windows
    indexes: Array | None = None


def _crop(image: Array, w: Windows) -> Array:
    return image if not w.needs_padding else image[interior(w)]


def max_pool(xp: ArrayNamespace, x: Array, w: Windows) -> Array:
    """Each window's maximum, one ``maximum`` per kernel offset (large results in
    ``core.workspace``'s pooled arrays, laid out as ``x``)."""
    image = padded(xp, x, w, _NEG_INF)
    slices = offsets(w)
    first = image[slices[0][1]]
    if len(slices) == 1:
        return first.copy()
    y = workspace.elementwise(xp, xp.maximum, first, image[slices[1][1]], like=first)
    for _, s in slices[2:]:
        workspace.ufunc_into(xp, xp.maximum, y, image[s], out=y)
    return y


def first_argmax(xp: ArrayNamespace, x: Array, y: Array, w: Windows) -> Array:
    """The offset (raster order over the kernel) of the first maximum of each
    window, as int64: Chainer's ``indexes``."""
    image = padded(xp, x, w, _NEG_INF)
    slices = offsets(w)
    index = xp.full(tuple(y.shape), len(slices) - 1, dtype=xp.int64)
    for k in range(len(slices) - 2, -1, -1):
        index = xp.where(image[slices[k][1]] == y, k, index)
    return index


def _route_to_max(xp: ArrayNamespace, gy: Array, x: Array, y: Array, w: Windows) -> Array:
    """``gy`` sent to the first maximum of each window (the VJP of ``max_pool``)."""
    if not overlapping(w) and not w.needs_padding:
        return _route_in_place(xp, gy, x, y, w)
    image = padded(xp, x, w, _NEG_INF)
    g = xp.zeros(tuple(x.shape[:2]) + w.padded_size, dtype=gy.dtype)
    accumulate = overlapping(w)
    free: Array | None = None
    slices = offsets(w)
    last = len(slices) - 1
    for k, (_, s) in enumerate(slices):
        hit = image[s] == y
        if free is not None:
            hit = xp.logical_and(hit, free)
        if k < last:
            free = xp.logical_not(hit) if free is None else xp.logical_and(free, xp.logical_not(hit))
        part = xp.where(hit, gy, 0.0)
        if accumulate:
            g[s] += part
        else:
            g[s] = part
    return _crop(g, w)


def _route_in_place(xp: ArrayNamespace, gy: Array, x: Array, y: Array, w: Windows) -> Array:
    """``_route_to_max`` for windows that neither overlap nor reach outside ``x`` (the
    usual 2x2 pooling): offset by offset, the gradient not yet routed, ``rest``, is
    kept only where that offset does not hold the maximum, and the offset's gradient
    is what this took, ``rest - kept`` (exact: ``r - 0 = r``, ``r - r = +0``), so the
    first maximum in raster order takes it all and the others get +0, as Chainer's.

    Written for speed: the result has ``x``'s memory layout (a channels-last ``x``
    gives a channels-last gradient, which the ReLU and convolution before it read
    without a copy), ``gy`` is laid out as ``y`` once, and the routing is by
    multiplication with a mask, every pass between arrays of one layout (numpy's
    ``where`` measured 5x slower on these arrays).  As in ReLU's backward, a
    non-finite ``gy`` (inf, NaN) then also gives NaN to the window's other positions."""
    covered = all(s == k and o * s == n for s, k, o, n in zip(w.stride, w.ksize, w.out, w.size))
    g = workspace.empty_like(xp, x) if covered else xp.zeros_like(x)
    rest = gy
    if gy.strides != y.strides:
        rest = workspace.empty_like(xp, y)
        rest[...] = gy
    slices = offsets(w)
    for _, s in slices[:-1]:
        kept = workspace.elementwise(xp, xp.multiply, rest, xp.not_equal(x[s], y), like=y)
        workspace.ufunc_into(xp, xp.subtract, rest, kept, out=g[s])
        rest = kept
    workspace.ufunc_into(xp, xp.add, rest, 0.0, out=g[slices[-1][1]])  # -0 (taken earlier) becomes +0
    return g


def _gather(xp: ArrayNamespace, x: Array, index: Array, w: Windows) -> Array:
    """``x`` read at each window's offset ``index`` (zero in the padding)."""
    image = padded(xp, x, w)
    y = xp.zeros(tuple(index.shape), dtype=x.dtype)
    for k, (_, s) in enumerate(offsets(w)):
        y = xp.where(index == k, image[s], y)
    return y


def _scatter(xp: ArrayNamespace, g: Array, index: Array, w: Windows) -> Array:
    """The adjoint of ``_gather``: ``g`` added at each window's offset ``index``."""
    image = xp.zeros(tuple(g.shape[:2]) + w.padded_size, dtype=g.dtype)
    accumulate = overlapping(w)
    for k, (_, s) in enumerate(offsets(w)):
        part = xp.where(index == k, g, 0.0)
        if accumulate:
            image[s] += part
        else:
            image[s] = part
    return _crop(image, w)


# ------------------------------------------------------------------ max_pooling_nd
def _forward(xp: ArrayNamespace, inputs: Inputs, p: MaxPoolParams) -> Forwarded:
    x = inputs[0]
    if p.indexes is not None:
        return (_gather(xp, x, p.indexes, p.windows),), ()
    y = max_pool(xp, x, p.windows)
    return (y,), (x, y)


def _vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MaxPoolParams) -> Grads:
    if p.indexes is not None:
        return (_scatter(xp, grads[0], p.indexes, p.windows),)
    x, y = residuals
    return (_route_to_max(xp, grads[0], x, y, p.windows),)


def _vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MaxPoolParams) -> Grads:
    """Second order: the routing is the scatter op at the maxima's offsets."""
    if p.indexes is None:
        x, y = cast(Variable, residuals[0]).array, cast(Variable, residuals[1]).array
        p = replace(p, indexes=first_argmax(backend.namespace_of(x), x, y, p.windows))
    return (cast(Array, apply(MAX_POOLING_ND_GRAD, (cast(Variable, grads[0]),), p)),)


# ---------------------------------------------------- the scatter (max_pooling_nd_grad)
def _grad_forward(xp: ArrayNamespace, inputs: Inputs, p: MaxPoolParams) -> Forwarded:
    assert p.indexes is not None  # the op is only ever built with them
    return (_scatter(xp, inputs[0], p.indexes, p.windows),), ()


def _grad_vjp(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MaxPoolParams) -> Grads:
    assert p.indexes is not None
    return (_gather(xp, grads[0], p.indexes, p.windows),)


def _grad_vjp_recorded(xp: ArrayNamespace, residuals: Inputs, grads: Inputs, p: MaxPoolParams) -> Grads:
    """Second order: the gather is ``max_pooling_nd`` with the indexes given."""
    return (cast(Array, apply(MAX_POOLING_ND, (cast(Variable, grads[0]),), p)),)


# ------------------------------------------------------------------ test cases
def draw_pool_windows(draw: Draw, cover_all: bool) -> Windows:
    """Small pooling windows, each holding at least one input position."""
    ndim = draw.choice([1, 2, 2, 3])
    ksize = tuple(draw.integer(1, 3) for _ in range(ndim))
    stride = tuple(draw.integer(1, k) for k in ksize)
    pad = tuple(draw.integer(0, (k - 1) // 2) for k in ksize)
    size = tuple(max(1, k - 2 * q) + draw.integer(0, 3) for k, q in zip(ksize, pad))
    out = tuple(conv_outsize(n, k, s, q, cover_all) for n, k, s, q in zip(size, ksize, stride, pad))
    if any(s * (o - 1) - q > n - 1 for n, s, q, o in zip(size, stride, pad, out)):
        pad = (0,) * ndim  # a cover_all window past the input: none without padding
        out = tuple(conv_outsize(n, k, s, 0, cover_all) for n, k, s in zip(size, ksize, stride))
    return Windows(size, ksize, stride, pad, (1,) * ndim, out)


def _sample(draw: Draw) -> Case:
    w = draw_pool_windows(draw, draw.boolean())
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    x = draw.distinct((n, c) + w.size)  # no ties: the maximum is unique in every window
    params = MaxPoolParams("max_pooling_nd", w)
    return Case((x,), lambda x: apply(MAX_POOLING_ND, (x,), params))


def _sample_grad(draw: Draw) -> Case:
    w = draw_pool_windows(draw, draw.boolean())
    n, c = draw.integer(1, 2), draw.integer(1, 2)
    index = draw.integers((n, c) + w.out, 0, product(w.ksize) - 1)  # an input: it moves with g

    def call(g: Variable, index: Variable) -> Variable:
        return apply(MAX_POOLING_ND_GRAD, (g,), MaxPoolParams("max_pooling_nd_grad", w, index.array))

    return Case((draw.floats((n, c) + w.out), index), call, check=(0,))


MAX_POOLING_ND: OpDef[MaxPoolParams] = register(OpDef(
    "max_pooling_nd", _forward, _vjp, GradSpec(_sample), broadcasts=False, second_order_vjp=_vjp_recorded))
MAX_POOLING_ND_GRAD: OpDef[MaxPoolParams] = register(OpDef(
    "max_pooling_nd_grad", _grad_forward, _grad_vjp, GradSpec(_sample_grad), arg_names=("gy",),
    broadcasts=False, second_order_vjp=_grad_vjp_recorded))


def upsample(x: VariableLike, indexes: Array, w: Windows, fn: str) -> Variable:
    """``x`` scattered to the window offsets ``indexes`` of an image of ``w.size``."""
    return apply(MAX_POOLING_ND_GRAD, (x,), MaxPoolParams(fn, w, indexes))

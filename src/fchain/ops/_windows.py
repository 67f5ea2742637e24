"""Sliding windows over the spatial axes of ``(N, C, *spatial)`` arrays: the geometry
of convolution and pooling, and the two array moves everything else is built on.

``Windows`` says where each window lies: an input of spatial size ``size`` padded by
``pad`` on each side, windows of ``ksize`` taps ``dilate`` apart, ``stride`` apart,
``out`` of them along each axis.  ``im2col`` copies the windows out into a column
array ``(N, C, *ksize, *out)``; ``col2im`` is its adjoint, adding a column array
back into the image.  Both loop over the kernel's ``prod(ksize)`` offsets only, each
step one strided slice of the whole batch (never a loop over batch items or pixels),
and use nothing but slicing and ``xp`` creation functions, so they run on numpy and
CuPy alike.

Chainer's conventions (``chainer.utils.conv``): output size ``(size + 2 pad - dk) //
stride + 1`` with ``dk = dilate (ksize - 1) + 1``, or with ``cover_all`` ``(size + 2
pad - dk + stride - 1) // stride + 1`` (every input position lies in some window, the
last windows reaching into extra padding on the far side); the transposed size is
``stride (size - 1) + dk - 2 pad`` (``- stride + 1`` more with ``cover_all``).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from fchain.core import workspace
from fchain.types import Array, ArrayNamespace, Shape

__all__ = [
    "Windows",
    "col2im",
    "conv_outsize",
    "deconv_outsize",
    "im2col",
    "interior",
    "offsets",
    "overlapping",
    "padded",
    "product",
    "scatter_windows",
    "spatial_interior",
    "spatial_offsets",
    "sum_windows",
]


def product(shape: Shape) -> int:
    """The number of elements of ``shape``."""
    n = 1
    for s in shape:
        n *= s
    return n


def conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False, d: int = 1) -> int:
    """How many windows fit along an axis (Chainer's ``get_conv_outsize``)."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def deconv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False, d: int = 1) -> int:
    """The image size whose windows number ``size`` (Chainer's ``get_deconv_outsize``)."""
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


@dataclass(frozen=True, slots=True)
class Windows:
    """The windows of a convolution or pooling, per spatial axis (see the module doc)."""

    size: Shape
    ksize: Shape
    stride: Shape
    pad: Shape
    dilate: Shape
    out: Shape

    @property
    def ndim(self) -> int:
        return len(self.size)

    @property
    def padded_size(self) -> Shape:
        """The padded image: ``pad`` zeros before the input, and after it as many as
        the last window reaches (which may cut the input short: those positions are
        in no window)."""
        return tuple(max(p + n, d * (k - 1) + s * (o - 1) + 1)
                     for n, k, s, p, d, o in zip(self.size, self.ksize, self.stride, self.pad,
                                                 self.dilate, self.out))

    @property
    def needs_padding(self) -> bool:
        """Whether the windows reach outside the input (else ``x`` is read in place)."""
        return any(p > 0 for p in self.pad) or self.padded_size != self.size


def _offsets(w: Windows) -> tuple[tuple[tuple[int, ...], tuple[slice, ...]], ...]:
    """Each kernel offset (raster order) with the slices of the padded image it reads."""
    return _offsets_cached(w.ksize, w.stride, w.dilate, w.out)


@functools.lru_cache(maxsize=256)
def _offsets_cached(ksize: Shape, stride: Shape, dilate: Shape, out: Shape
                    ) -> tuple[tuple[tuple[int, ...], tuple[slice, ...]], ...]:
    result = []
    for index in itertools.product(*(range(k) for k in ksize)):
        slices = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                       for i, d, s, o in zip(index, dilate, stride, out))
        result.append((index, slices))
    return tuple(result)


def _interior(w: Windows) -> tuple[slice, ...]:
    """Where the input lies in the padded image."""
    return tuple(slice(p, p + n) for p, n in zip(w.pad, w.size))


def padded(xp: ArrayNamespace, x: Array, w: Windows, value: float = 0.0) -> Array:
    """``x`` inside an image of ``w.padded_size`` filled with ``value`` (``x`` itself
    when the windows stay inside it)."""
    if not w.needs_padding:
        return x
    shape = tuple(x.shape[:2]) + w.padded_size
    buf = workspace.zeros(xp, shape, x.dtype) if value == 0.0 else xp.full(shape, value, dtype=x.dtype)
    buf[(slice(None), slice(None)) + _interior(w)] = x
    return buf


def im2col(xp: ArrayNamespace, x: Array, w: Windows, value: float = 0.0) -> Array:
    """The windows of ``x`` ``(N, C, *size)`` as ``(N, C, *ksize, *out)``; positions
    outside the input read ``value``."""
    image = padded(xp, x, w, value)
    col = workspace.empty(xp, tuple(x.shape[:2]) + w.ksize + w.out, x.dtype)  # every element written
    lead = (slice(None), slice(None))
    for index, slices in _offsets(w):
        col[lead + index] = image[lead + slices]
    return col


def col2im(xp: ArrayNamespace, col: Array, w: Windows) -> Array:
    """The adjoint of ``im2col``: each window of ``col`` ``(N, C, *ksize, *out)`` added
    back where it was read, as an ``(N, C, *size)`` image (a view of a padded buffer
    when there is padding)."""
    lead = (slice(None), slice(None))
    image = workspace.zeros(xp, tuple(col.shape[:2]) + w.padded_size, col.dtype)
    for index, slices in _offsets(w):
        image[lead + slices] += col[lead + index]
    if not w.needs_padding:
        return image
    return image[lead + _interior(w)]


def sum_windows(xp: ArrayNamespace, x: Array, w: Windows) -> Array:
    """Each window's sum ``(N, C, *out)``, accumulated offset by offset in raster
    order (the order numpy's sum over im2col's kernel axes takes); padding is zero."""
    image = padded(xp, x, w)
    lead = (slice(None), slice(None))
    offsets = _offsets(w)
    total = image[lead + offsets[0][1]].copy()
    for _, slices in offsets[1:]:
        total += image[lead + slices]
    return total


def scatter_windows(xp: ArrayNamespace, g: Array, w: Windows) -> Array:
    """The adjoint of ``sum_windows``: ``g (N, C, *out)`` added into every position
    of its window, as an ``(N, C, *size)`` image (``col2im`` of ``g`` repeated over
    the kernel, without building the repeated columns)."""
    lead = (slice(None), slice(None))
    image = xp.zeros(tuple(g.shape[:2]) + w.padded_size, dtype=g.dtype)
    for _, slices in _offsets(w):
        image[lead + slices] += g
    if not w.needs_padding:
        return image
    return image[lead + _interior(w)]


def overlapping(w: Windows) -> bool:
    """Whether some input position lies in more than one window."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(w.ksize, w.stride, w.dilate))


def interior(w: Windows) -> tuple[slice, ...]:
    """Where the input lies inside the padded image, leading axes included."""
    return (slice(None), slice(None)) + _interior(w)


def spatial_interior(w: Windows) -> tuple[slice, ...]:
    """Where the input lies inside the padded image, spatial axes only (for layouts
    whose spatial axes are not at positions 2, 3, ...)."""
    return _interior(w)


def spatial_offsets(w: Windows) -> tuple[tuple[slice, ...], ...]:
    """The slices of the padded image (spatial axes only) that each kernel offset
    reads, in raster order of the kernel."""
    return tuple(slices for _, slices in _offsets(w))


def offsets(w: Windows) -> tuple[tuple[tuple[int, ...], tuple[slice, ...]], ...]:
    """Each kernel offset (raster order) with the slices (leading axes included) of
    the padded image it reads."""
    lead = (slice(None), slice(None))
    return tuple((index, lead + slices) for index, slices in _offsets(w))


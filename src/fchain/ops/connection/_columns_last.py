"""Channels-last images and their columns, a few batch items at a time: the array
moves of a convolution.

An image ``(N, C, *size)`` is read channels-last, ``(N, *size, C)``: a transposed
view, free when the array was itself made channels-last (the convolutions return
their outputs that way, and elementwise ops keep the layout of their input).  The
columns of a chunk of ``nb`` batch items are ``(nb, *out, G, K, C / G)``: every output
position (row) holds, per group, its window's ``K = prod(ksize)`` taps in raster order
of the kernel, each tap the group's channels.  Why this layout: a product whose rows
are output positions comes out as the output, channels last, with no transposing
copy back; and copying the windows moves runs of whole kernel rows (``kw C``
contiguous values on both sides), where a channels-first layout moves single rows of
the image.

The images are padded one chunk at a time, into a small scratch image whose border
stays zero (only its interior is ever written), so no padded copy of a whole batch
is made or kept.
"""

from __future__ import annotations

from fchain.core import workspace
from fchain.ops._windows import Windows, product, spatial_interior, spatial_offsets
from fchain.types import Array, ArrayNamespace

__all__ = ["Columns", "add_columns", "channels_first", "channels_last"]


def channels_last(x: Array) -> Array:
    """``(N, C, *spatial)`` viewed as ``(N, *spatial, C)`` (no copy)."""
    return x.transpose((0,) + tuple(range(2, x.ndim)) + (1,))


def channels_first(x: Array) -> Array:
    """``(N, *spatial, C)`` viewed as ``(N, C, *spatial)`` (no copy)."""
    return x.transpose((0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


class Columns:
    """The columns of chunks of the channels-last batch ``src (N, *size, C)`` under the
    windows ``w``, for chunks of at most ``step`` items: ``cols(start, stop)`` fills a
    scratch buffer and returns it as the matrix ``(nb P, G, K C / G)`` (``P =
    prod(out)``).  The buffer is reused by the next call."""

    def __init__(self, xp: ArrayNamespace, src: Array, w: Windows, groups: int, step: int) -> None:
        self.xp, self.src, self.w, self.groups = xp, src, w, groups
        c = src.shape[-1]
        self.channels = c
        self.rows = product(w.out)
        # A scratch image where the windows reach into padding, or where the channels
        # are not contiguous (every copy would gather single values: one transposing
        # copy per chunk into the scratch image is cheaper).  Its border stays zero.
        self.buf: Array | None = None
        if w.needs_padding or src.strides[-1] != src.itemsize:
            self.buf = workspace.zeros(xp, (step,) + w.padded_size + (c,), src.dtype)
        self.interior = (slice(None),) + spatial_interior(w) + (slice(None),)
        self.col = workspace.empty(xp, (step,) + w.out + (groups, product(w.ksize), c // groups), src.dtype)
        # numpy: the sliding-window view of the whole image (buffer or batch), made
        # once; a chunk's windows are then one slice of it and one copy, whose
        # innermost run is a whole kernel row (measured 2x faster than a copy per
        # kernel offset, which moves runs of C values).
        self.windows = _window_view(xp, src if self.buf is None else self.buf, w)
        self.offsets = spatial_offsets(w)

    def __call__(self, start: int, stop: int) -> Array:
        nb, w, g, c = stop - start, self.w, self.groups, self.channels
        if self.buf is None:
            image = self.src[start:stop]
            view = None if self.windows is None else self.windows[start:stop]
        else:
            image = self.buf[:nb]
            image[self.interior] = self.src[start:stop]
            view = None if self.windows is None else self.windows[:nb]
        cols = self.col[:nb]
        if view is not None and g == 1:
            cols.reshape((nb,) + w.out + w.ksize + (c,))[...] = view
        elif view is not None:
            nd = w.ndim
            split = view.reshape((nb,) + w.out + w.ksize + (g, c // g))
            axes = tuple(range(1 + nd)) + (1 + 2 * nd,) + tuple(range(1 + nd, 1 + 2 * nd)) + (2 + 2 * nd,)
            cols.reshape((nb,) + w.out + (g,) + w.ksize + (c // g,))[...] = split.transpose(axes)
        else:
            shape = (nb,) + w.out + (g, c // g)
            lead = (slice(None),) * (w.ndim + 2)
            for k, slices in enumerate(self.offsets):
                cols[lead + (k,)] = image[(slice(None),) + slices + (slice(None),)].reshape(shape)
        return cols.reshape(nb * self.rows, g, -1)


def _window_view(xp: ArrayNamespace, image: Array, w: Windows) -> Array | None:
    """``image (N, *padded_size, C)``'s windows as a view ``(N, *out, *ksize, C)`` (None
    off numpy)."""
    s = tuple(image.strides)
    inner = s[1:-1]
    strides = ((s[0],) + tuple(q * st for q, st in zip(inner, w.stride))
               + tuple(q * d for q, d in zip(inner, w.dilate)) + (s[-1],))
    return workspace.strided_view(xp, image, (image.shape[0],) + w.out + w.ksize + (image.shape[-1],), strides)


def add_columns(image: Array, cols: Array, w: Windows, groups: int) -> None:
    """The adjoint of ``Columns``: each window of ``cols`` ``(nb, *out, G, K, C / G)``
    added into ``image`` ``(nb, *padded_size, C)`` where it was read."""
    nb, c = image.shape[0], image.shape[-1]
    shape = (nb,) + w.out + (groups, c // groups)
    lead = (slice(None),) * (w.ndim + 2)
    for k, slices in enumerate(spatial_offsets(w)):
        target = image[(slice(None),) + slices + (slice(None),)].reshape(shape)  # a view: one axis split
        target += cols[lead + (k,)]

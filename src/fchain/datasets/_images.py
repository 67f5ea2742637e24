"""Shared preprocessing of the image loaders (Chainer's semantics: cast to ``dtype``,
then ``images *= scale / 255.``)."""

from __future__ import annotations

import numpy

from fchain.errors import DTypeError
from fchain.graph.config import config
from fchain.types import Array, DTypeLike

__all__ = ["image_dtype", "scale_images"]


def image_dtype(fn: str, dtype: DTypeLike | None) -> numpy.dtype[numpy.floating]:
    """``dtype``, or ``fchain.config.dtype`` when it is ``None``; must be floating."""
    dt = numpy.dtype(config.dtype if dtype is None else dtype)
    if dt.kind != "f":
        raise DTypeError(f"{fn}: dtype must be a floating type, got {dt}")
    return dt  # type: ignore[return-value]  # kind 'f' checked just above


def scale_images(images: Array, dtype: numpy.dtype[numpy.floating], scale: float) -> Array:
    out = images.astype(dtype)
    out *= scale / 255.0
    return out

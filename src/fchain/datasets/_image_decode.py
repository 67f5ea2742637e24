"""Decoding one image file into a ``(channels, height, width)`` array, with Pillow.

Pillow is an optional extra (``pip install fchain[image]``), so it is imported
only when an image is decoded: the image datasets can be built, sized, indexed
into lists and pickled without it, and the first read says what to install.

The pixel values are Pillow's, unscaled and unconverted, as in Chainer: a
grayscale (``L``) or palette (``P``, the palette indices) image gives one
channel, ``LA`` two, ``RGB`` three, ``RGBA`` (alpha kept) and ``CMYK`` four.
"""

from __future__ import annotations

import os
from typing import IO

import numpy

from fchain.datasets._idx import DatasetFileError
from fchain.errors import DTypeError, FchainError
from fchain.graph.config import get_dtype
from fchain.types import Array, DTypeLike

__all__ = ["ImageSource", "PillowMissingError", "decode_image", "image_array_dtype"]

ImageSource = str | os.PathLike[str] | IO[bytes]
"""What Pillow opens: a path, or a binary file object (a zip member's bytes)."""


class PillowMissingError(FchainError, ImportError):
    """An image was read but Pillow, which decodes it, is not installed."""


def image_array_dtype(dataset: str, dtype: DTypeLike | None) -> numpy.dtype[numpy.generic]:
    """The dtype of the image arrays: ``dtype``, or ``fchain.config.dtype`` when it
    is ``None`` (float16 under ``mixed16``), as Chainer's ``get_dtype``.  It must be
    an integer or floating dtype (``uint8`` keeps the pixels in a quarter of
    float32's memory)."""
    result: numpy.dtype[numpy.generic] = get_dtype(dtype)
    if result.kind not in "uif":
        raise DTypeError(
            f"{dataset}: dtype must be an integer or floating dtype for the image arrays, "
            f"got {result}"
        )
    return result


def decode_image(source: ImageSource, dtype: numpy.dtype[numpy.generic], dataset: str, name: str) -> Array:
    """The image in ``source`` as a ``(C, H, W)`` array of ``dtype``; a 2-d
    (single-channel) image gets a leading axis of 1.

    ``dataset`` and ``name`` (the file, or the archive and member) go into the
    error raised when Pillow is missing, the file does not exist, or Pillow cannot
    decode it.
    """
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:
        raise PillowMissingError(
            f"{dataset} needs Pillow to read images, and Pillow is not installed; "
            "install it with `pip install fchain[image]` (or `pip install Pillow`)"
        ) from exc
    try:
        with Image.open(source) as image:
            pixels = numpy.asarray(image, dtype=dtype)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise type(exc)(f"{dataset}: cannot open image file {name}: {exc.strerror}") from exc
    except UnidentifiedImageError as exc:
        raise DatasetFileError(
            f"{dataset}: {name} is not an image file Pillow can read (expected PNG, JPEG, "
            "or another format Pillow decodes)"
        ) from exc
    except OSError as exc:  # truncated or corrupt data, found while decoding
        raise DatasetFileError(f"{dataset}: image file {name} could not be decoded: {exc}") from exc
    if pixels.ndim == 2:
        pixels = pixels[None]
    else:
        pixels = pixels.transpose(2, 0, 1)
    return pixels

"""Chainer's ``chainer.datasets.image_dataset``: datasets of image files, read
(and decoded with Pillow) on every access, from a folder or from zip archives.

Every image comes back as a ``(channels, height, width)`` array of the dataset's
``dtype`` (``fchain.config.dtype`` unless given), holding Pillow's pixel values
unscaled (0-255 for 8-bit images): one channel for grayscale and palette images,
three for RGB, four for RGBA (alpha kept) and CMYK.  Converting mixed formats to
one, and scaling, is the user's preprocessing, as in Chainer.  Labels come back
as 0-d arrays of ``label_dtype``.

Pillow is the optional extra ``fchain[image]``: without it the datasets can be
built, sized and pickled, and reading an image raises ``PillowMissingError`` (an
``ImportError``) saying what to install.  Lists of paths and pairs are read and
checked when the dataset is made; a bad line names its file and line number.
"""

from __future__ import annotations

import bisect
import io
import itertools
import operator
import os
from collections.abc import Sequence
from typing import SupportsIndex

import numpy

from fchain.dataset.dataset_mixin import DatasetMixin
from fchain.datasets._idx import DatasetFileError
from fchain.datasets._image_decode import PillowMissingError, decode_image, image_array_dtype
from fchain.datasets._image_lists import (
    Label,
    PathLike,
    label_array,
    pairs_from,
    paths_from,
    read_pairs_file,
)
from fchain.datasets._zip_members import MissingMemberError, ZipMembers
from fchain.types import Array, DTypeLike

__all__ = [
    "ImageDataset",
    "LabeledImageDataset",
    "LabeledZippedImageDataset",
    "MissingMemberError",
    "MultiZippedImageDataset",
    "PillowMissingError",
    "ZippedImageDataset",
]


def _position(dataset: str, i: SupportsIndex, n: int) -> int:
    """``i`` as a position in ``range(n)``, negative ``i`` counted from the end."""
    j = operator.index(i)
    k = j + n if j < 0 else j
    if not 0 <= k < n:
        raise IndexError(f"{dataset}: index {j} out of range for length {n}")
    return k


class ImageDataset(DatasetMixin[Array]):
    """The images of a list of files, each read when it is indexed.

    ``ImageDataset(paths, root='.', dtype=None)``: ``paths`` is a list of paths,
    or the path of a text file of paths, one a line; each is taken relative to
    ``root`` (an absolute path stays as it is).  ``dataset[i]`` is the ``i``-th
    image as a ``(C, H, W)`` array of ``dtype`` (default ``fchain.config.dtype``).
    """

    def __init__(
        self,
        paths: PathLike | Sequence[PathLike],
        root: PathLike = ".",
        dtype: DTypeLike | None = None,
    ) -> None:
        self._paths = paths_from("ImageDataset", paths)
        self._root = os.fspath(root)
        self._dtype = image_array_dtype("ImageDataset", dtype)

    def __len__(self) -> int:
        return len(self._paths)

    def get_example(self, i: int) -> Array:
        k = _position("ImageDataset", i, len(self._paths))
        path = os.path.join(self._root, self._paths[k])
        return decode_image(path, self._dtype, "ImageDataset", f"{path!r} (example {k})")


class LabeledImageDataset(DatasetMixin[tuple[Array, Array]]):
    """(image, label) pairs from a list of image files and their labels.

    ``LabeledImageDataset(pairs, root='.', dtype=None, label_dtype=numpy.int32)``:
    ``pairs`` is a list of ``(path, label)`` pairs, or the path of a text file of
    ``path label`` lines (white-space separated, integer labels: Caffe's format).
    Paths are relative to ``root``.  ``dataset[i]`` is ``(image, label)``: a
    ``(C, H, W)`` array of ``dtype`` and a 0-d array of ``label_dtype``.
    """

    def __init__(
        self,
        pairs: PathLike | Sequence[tuple[PathLike, Label]],
        root: PathLike = ".",
        dtype: DTypeLike | None = None,
        label_dtype: DTypeLike = numpy.int32,
    ) -> None:
        paths, labels = pairs_from("LabeledImageDataset", pairs)
        self._paths = paths
        self._labels = label_array("LabeledImageDataset", labels, label_dtype)
        self._root = os.fspath(root)
        self._dtype = image_array_dtype("LabeledImageDataset", dtype)

    def __len__(self) -> int:
        return len(self._paths)

    def get_example(self, i: int) -> tuple[Array, Array]:
        k = _position("LabeledImageDataset", i, len(self._paths))
        path = os.path.join(self._root, self._paths[k])
        image = decode_image(path, self._dtype, "LabeledImageDataset", f"{path!r} (example {k})")
        return image, numpy.array(self._labels[k])


class _ArchiveImages:
    """The images of one zip archive, decoded by name; errors name ``dataset``, the
    dataset the user made."""

    def __init__(self, dataset: str, archive: PathLike, dtype: DTypeLike | None) -> None:
        self.dataset = dataset
        self.members = ZipMembers(dataset, archive)
        self.dtype = image_array_dtype(dataset, dtype)

    def image(self, name: str) -> Array:
        return decode_image(
            io.BytesIO(self.members.read(name)),
            self.dtype,
            self.dataset,
            f"{name!r} in the zip archive {self.members.archive!r}",
        )


class ZippedImageDataset(DatasetMixin[Array]):
    """The images stored in a zip archive, read from it (never extracted) when
    they are indexed.

    ``ZippedImageDataset(zipfilename, dtype=None)``: every file of the archive
    (directory entries aside) is an image, in the archive's order.
    ``dataset[i]`` is a ``(C, H, W)`` array of ``dtype``; ``get_example`` also
    takes a file's name in the archive.  Safe to read from several threads, and
    to pickle or fork into worker processes (each process opens the archive
    itself).  Often faster than ``ImageDataset`` on network file systems.
    """

    def __init__(self, zipfilename: PathLike, dtype: DTypeLike | None = None) -> None:
        self._images = _ArchiveImages("ZippedImageDataset", zipfilename, dtype)

    def __len__(self) -> int:
        return len(self._images.members.names)

    def __contains__(self, name: object) -> bool:
        """Whether the archive has a file named ``name``."""
        return name in self._images.members

    def get_example(self, i: int | str) -> Array:
        """The image at position ``i``, or the image of the archive's file named ``i``."""
        if isinstance(i, str):
            return self._images.image(i)
        names = self._images.members.names
        return self._images.image(names[_position("ZippedImageDataset", i, len(names))])


class LabeledZippedImageDataset(DatasetMixin[tuple[Array, Array]]):
    """(image, label) pairs with the images stored in a zip archive.

    ``LabeledZippedImageDataset(zipfilename, labelfilename, dtype=None,
    label_dtype=numpy.int32)``: ``labelfilename`` is a text file of
    ``name label`` lines as ``LabeledImageDataset`` reads, each ``name`` the name
    of a file in the archive (checked when the dataset is made).
    """

    def __init__(
        self,
        zipfilename: PathLike,
        labelfilename: PathLike,
        dtype: DTypeLike | None = None,
        label_dtype: DTypeLike = numpy.int32,
    ) -> None:
        name = "LabeledZippedImageDataset"
        pairs = read_pairs_file(name, "labelfilename", labelfilename)
        self._images = _ArchiveImages(name, zipfilename, dtype)
        for number, (path, _) in enumerate(pairs, start=1):
            if path not in self._images.members:
                raise DatasetFileError(
                    f"{name}: line {number} of {os.fspath(labelfilename)!r} names {path!r}, "
                    f"which is not a file in the zip archive {os.fspath(zipfilename)!r}"
                )
        self._names = [p for p, _ in pairs]
        self._labels = label_array(name, [label for _, label in pairs], label_dtype)

    def __len__(self) -> int:
        return len(self._names)

    def get_example(self, i: int) -> tuple[Array, Array]:
        k = _position("LabeledZippedImageDataset", i, len(self._names))
        return self._images.image(self._names[k]), numpy.array(self._labels[k])


class MultiZippedImageDataset(DatasetMixin[Array]):
    """The images of several zip archives, one archive after another.

    ``MultiZippedImageDataset(zipfilenames, dtype=None)``: each archive is read as
    by ``ZippedImageDataset``; balancing the number of archives against their size
    is left to the user.
    """

    def __init__(self, zipfilenames: Sequence[PathLike], dtype: DTypeLike | None = None) -> None:
        if isinstance(zipfilenames, (str, os.PathLike)):
            raise TypeError(
                "MultiZippedImageDataset: zipfilenames must be a list of zip archive paths, "
                f"got the single path {os.fspath(zipfilenames)!r}"
            )
        self._archives = [
            _ArchiveImages("MultiZippedImageDataset", path, dtype) for path in zipfilenames
        ]
        self._ends = list(itertools.accumulate(len(a.members.names) for a in self._archives))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def get_example(self, i: int) -> Array:
        k = _position("MultiZippedImageDataset", i, len(self))
        archive = bisect.bisect_right(self._ends, k)
        start = self._ends[archive - 1] if archive else 0
        images = self._archives[archive]
        return images.image(images.members.names[k - start])

"""CIFAR-10 and CIFAR-100 (Chainer's ``get_cifar10``, ``get_cifar100``).

Difference from Chainer: Chainer reads the *python* archives
(``cifar-10-python.tar.gz``), which hold pickles; fchain never unpickles, so it reads
the *binary* archives the same authors publish (``cifar-10-binary.tar.gz``,
``cifar-100-binary.tar.gz``: fixed-size records of label byte(s) + 3072 pixel bytes).
The pixels and labels are the same, in the same order (CIFAR-100 gives the fine
labels, as Chainer does).  The archive is read in memory (no extraction to disk) and
cached as ``<dataset root>/pfnet/chainer/cifar/cifar-{10,100}.npz`` with arrays
``train_x`` (N x 3072, uint8), ``train_y``, ``test_x``, ``test_y``: Chainer's cache
layout.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias, cast, overload

import numpy

from fchain.datasets._cache import load_or_build
from fchain.datasets._fetch import Source, SourceFile, cache_dir, fetch
from fchain.datasets._idx import DatasetFileError
from fchain.datasets._images import image_dtype, scale_images
from fchain.datasets.tuple_dataset import TupleDataset
from fchain.types import Array, DTypeLike

if TYPE_CHECKING:
    import tarfile

__all__ = ["CIFAR100_SOURCE", "CIFAR10_SOURCE", "LabeledImages", "get_cifar10", "get_cifar100"]

LabeledImages: TypeAlias = TupleDataset[tuple[Array, numpy.generic]]

_PIXELS = 3072

# SHA-256 sums: TensorFlow Datasets' url_checksums/cifar10.txt and cifar100.txt.
CIFAR10_SOURCE = Source(
    title="CIFAR-10",
    subdir=os.path.join("pfnet", "chainer", "cifar"),
    system_name="cifar-10",
    urls=("https://www.cs.toronto.edu/~kriz/",),
    files=(
        SourceFile(
            "cifar-10-binary.tar.gz", 170052171,
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
        ),
    ),
)

CIFAR100_SOURCE = Source(
    title="CIFAR-100",
    subdir=os.path.join("pfnet", "chainer", "cifar"),
    system_name="cifar-100",
    urls=("https://www.cs.toronto.edu/~kriz/",),
    files=(
        SourceFile(
            "cifar-100-binary.tar.gz", 168513733,
            "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
        ),
    ),
)

_KEYS = ("train_x", "train_y", "test_x", "test_y")

# (members, label bytes per record, which label byte to keep, number of classes)
_LAYOUT: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], int, int, int]] = {
    "cifar-10": (
        (
            tuple(f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)),
            ("cifar-10-batches-bin/test_batch.bin",),
        ),
        1, 0, 10,
    ),
    "cifar-100": (
        (("cifar-100-binary/train.bin",), ("cifar-100-binary/test.bin",)),
        2, 1, 100,
    ),
}


def _read_records(
    archive: tarfile.TarFile, path: str, member: str, label_bytes: int, keep: int
) -> tuple[Array, Array]:
    try:
        info = archive.getmember(member)
    except KeyError:
        raise DatasetFileError(f"{path}: the archive has no member {member}") from None
    f = archive.extractfile(info)
    if f is None:
        raise DatasetFileError(f"{path}: {member} is not a regular file")
    record = label_bytes + _PIXELS
    if info.size % record:
        raise DatasetFileError(
            f"{path}: {member} has {info.size} bytes, not a whole number of "
            f"{record}-byte records"
        )
    data = numpy.frombuffer(f.read(info.size), dtype=numpy.uint8).reshape(-1, record)
    return data[:, label_bytes:].copy(), data[:, keep].copy()


def _build(name: str, source: Source) -> dict[str, Array]:
    import tarfile  # only when building the cache

    spec = source.files[0]
    path = fetch(source)[spec.name]
    (train_members, test_members), label_bytes, keep, _ = _LAYOUT[name]
    out: dict[str, Array] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for split, members in (("train", train_members), ("test", test_members)):
                parts = [_read_records(archive, path, m, label_bytes, keep) for m in members]
                out[f"{split}_x"] = numpy.concatenate([p[0] for p in parts])
                out[f"{split}_y"] = numpy.concatenate([p[1] for p in parts])
    except (tarfile.TarError, EOFError, OSError) as e:
        raise DatasetFileError(f"{path}: corrupt archive: {e}") from None
    return out


def _get(
    fn: str,
    name: str,
    source: Source,
    withlabel: bool,
    ndim: int,
    scale: float,
    dtype: DTypeLike | None,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    if ndim not in (1, 3):
        raise ValueError(f"{fn}: invalid ndim for CIFAR dataset: {ndim} (expected 1 or 3)")
    dt = image_dtype(fn, dtype)
    n_classes = _LAYOUT[name][3]

    def validate(arrays: Mapping[str, Array]) -> str | None:
        for split in ("train", "test"):
            x, y = arrays[f"{split}_x"], arrays[f"{split}_y"]
            if x.dtype != numpy.uint8 or x.ndim != 2 or x.shape[1] != _PIXELS:
                return f"{split}_x must be uint8 of shape (N, 3072), got {x.dtype} {x.shape}"
            if y.dtype != numpy.uint8 or y.shape != (x.shape[0],):
                return f"{split}_y must be uint8 of shape ({x.shape[0]},), got {y.dtype} {y.shape}"
            if y.size and int(y.max()) >= n_classes:
                return f"{split}_y has label {int(y.max())}, expected < {n_classes}"
        return None

    raw = load_or_build(
        os.path.join(cache_dir(source), f"{name}.npz"), _KEYS, validate,
        lambda: _build(name, source),
    )

    def prep(split: str) -> LabeledImages | Array:
        images = raw[f"{split}_x"]
        images = images.reshape(-1, _PIXELS) if ndim == 1 else images.reshape(-1, 3, 32, 32)
        out = scale_images(images, dt, scale)
        if withlabel:
            labels = raw[f"{split}_y"].astype(numpy.int32)
            # The rows of the 4- or 2-dimensional images are arrays, those of the
            # 1-dimensional labels numpy scalars: narrower than TupleDataset's Row.
            return cast(LabeledImages, TupleDataset(out, labels))
        return out

    return prep("train"), prep("test")


@overload
def get_cifar10(
    withlabel: Literal[True] = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages, LabeledImages]: ...


@overload
def get_cifar10(
    withlabel: Literal[False], ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[Array, Array]: ...


@overload
def get_cifar10(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages | Array, LabeledImages | Array]: ...


def get_cifar10(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    """CIFAR-10: ``(train, test)`` with 50,000 and 10,000 colour images of 32x32.

    Args:
        withlabel: return ``TupleDataset(images, labels)`` (int32 labels 0..9); else
            just the images.
        ndim: 3 gives images of shape (3, 32, 32), 1 gives (3072,).
        scale: pixels are scaled to ``[0, scale]``.
        dtype: image dtype (``None``: ``fchain.config.dtype``).
    """
    return _get("get_cifar10", "cifar-10", CIFAR10_SOURCE, withlabel, ndim, scale, dtype)


@overload
def get_cifar100(
    withlabel: Literal[True] = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages, LabeledImages]: ...


@overload
def get_cifar100(
    withlabel: Literal[False], ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[Array, Array]: ...


@overload
def get_cifar100(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages | Array, LabeledImages | Array]: ...


def get_cifar100(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0,
    dtype: DTypeLike | None = None,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    """CIFAR-100 with the 100 fine labels (as Chainer); arguments as ``get_cifar10``."""
    return _get("get_cifar100", "cifar-100", CIFAR100_SOURCE, withlabel, ndim, scale, dtype)

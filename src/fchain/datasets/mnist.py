"""MNIST and Fashion-MNIST (Chainer's ``get_mnist``, ``get_fashion_mnist``).

The original IDX files (gzip or raw) are parsed by fchain itself and cached as
``<dataset root>/pfnet/chainer/{mnist,fashion-mnist}/{train,test}.npz`` with arrays
``x`` (N x 784, uint8) and ``y`` (N, uint8): Chainer's cache layout, so either
framework can reuse the other's cache.  See ``fchain.datasets._fetch`` for where the
files are looked for and how they are checked.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Literal, TypeAlias, overload

import numpy

from fchain.datasets._cache import load_or_build
from fchain.datasets._fetch import Source, SourceFile, cache_dir, fetch
from fchain.datasets._idx import DatasetFileError, GZIP_MAGIC, decompress_bounded, parse_idx
from fchain.datasets._images import image_dtype, scale_images
from fchain.datasets.tuple_dataset import TupleDataset
from fchain.types import Array, DTypeLike

__all__ = [
    "FASHION_MNIST_SOURCE",
    "LabeledImages",
    "MNIST_SOURCE",
    "get_fashion_mnist",
    "get_fashion_mnist_labels",
    "get_mnist",
]

LabeledImages: TypeAlias = TupleDataset[tuple[Array, numpy.generic]]
"""``TupleDataset(images, labels)``: examples are ``(image array, label scalar)``."""


def _idx_file(name: str, size: int, sha: str, raw_size: int, raw_sha: str) -> SourceFile:
    return SourceFile(name + ".gz", size, sha, name, raw_size, raw_sha)


# SHA-256 sums of the published files: TensorFlow Datasets' url_checksums/mnist.txt
# and fashion_mnist.txt; sums of the decompressed files as published by independent
# projects (and, for Fashion-MNIST, recomputed from Debian's dataset-fashion-mnist).
MNIST_SOURCE = Source(
    title="MNIST",
    subdir=os.path.join("pfnet", "chainer", "mnist"),
    system_name="mnist",
    urls=(
        "https://yann.lecun.com/exdb/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ),
    files=(
        _idx_file(
            "train-images-idx3-ubyte", 9912422,
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 47040016,
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        _idx_file(
            "train-labels-idx1-ubyte", 28881,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 60008,
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        _idx_file(
            "t10k-images-idx3-ubyte", 1648877,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 7840016,
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        _idx_file(
            "t10k-labels-idx1-ubyte", 4542,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 10008,
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ),
)

FASHION_MNIST_SOURCE = Source(
    title="Fashion-MNIST",
    subdir=os.path.join("pfnet", "chainer", "fashion-mnist"),
    system_name="fashion-mnist",
    urls=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    files=(
        _idx_file(
            "train-images-idx3-ubyte", 26421880,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 47040016,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        _idx_file(
            "train-labels-idx1-ubyte", 29515,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 60008,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        _idx_file(
            "t10k-images-idx3-ubyte", 4422102,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 7840016,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        _idx_file(
            "t10k-labels-idx1-ubyte", 5148,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 10008,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
    ),
)

_FASHION_LABELS = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

_SPLITS = {"train": "train", "test": "t10k"}


def _read_idx(path: str, spec: SourceFile) -> Array:
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == GZIP_MAGIC:
        data = decompress_bounded(data, spec.raw_size or len(data) * 1000, path)
    return parse_idx(data, path)


def _validate(arrays: Mapping[str, Array]) -> str | None:
    x, y = arrays["x"], arrays["y"]
    if x.dtype != numpy.uint8 or x.ndim != 2 or x.shape[1] != 784:
        return f"x must be uint8 of shape (N, 784), got {x.dtype} {x.shape}"
    if y.dtype != numpy.uint8 or y.shape != (x.shape[0],):
        return f"y must be uint8 of shape ({x.shape[0]},), got {y.dtype} {y.shape}"
    if y.size and int(y.max()) > 9:
        return f"labels must be 0..9, found {int(y.max())}"
    return None


def _split_files(split: str) -> tuple[str, str]:
    prefix = _SPLITS[split]
    return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"


def _build(source: Source, split: str, paths: Mapping[str, str]) -> dict[str, Array]:
    specs = {s.name: s for s in source.files}
    img_name, lbl_name = _split_files(split)
    images = _read_idx(paths[img_name], specs[img_name])
    labels = _read_idx(paths[lbl_name], specs[lbl_name])
    if images.dtype != numpy.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DatasetFileError(
            f"{paths[img_name]}: expected uint8 images of 28x28, got {images.dtype} "
            f"{images.shape}"
        )
    if labels.dtype != numpy.uint8 or labels.shape != (images.shape[0],):
        raise DatasetFileError(
            f"{paths[lbl_name]}: expected {images.shape[0]} uint8 labels, got {labels.dtype} "
            f"{labels.shape}"
        )
    return {"x": images.reshape(-1, 784), "y": labels}


def _raw_splits(source: Source) -> dict[str, dict[str, Array]]:
    """The decoded train and test arrays, from their npz caches or built from the
    original files.  The files of every split still to be built are looked for in
    one ``fetch``, so a missing-files error lists all of them (train and test) at
    once instead of one split at a time."""
    folder = cache_dir(source)
    caches = {split: os.path.join(folder, f"{split}.npz") for split in _SPLITS}
    fetched: dict[str, str] = {}

    def build(split: str) -> dict[str, Array]:
        if not all(name in fetched for name in _split_files(split)):
            # This split, and every other one without a cache yet (an unreadable
            # cache found later is rebuilt through its own fetch).
            wanted = [name for other in _SPLITS
                      if other == split or not os.path.isfile(caches[other])
                      for name in _split_files(other) if name not in fetched]
            fetched.update(fetch(source, wanted))
        return _build(source, split, fetched)

    return {
        split: load_or_build(caches[split], ("x", "y"), _validate, functools.partial(build, split))
        for split in ("train", "test")
    }


def _preprocess(
    fn: str,
    raw: Mapping[str, Array],
    withlabel: bool,
    ndim: int,
    scale: float,
    dtype: DTypeLike | None,
    label_dtype: DTypeLike,
    rgb_format: bool,
) -> LabeledImages | Array:
    images = raw["x"]
    if ndim == 2:
        images = images.reshape(-1, 28, 28)
    elif ndim == 3:
        images = images.reshape(-1, 1, 28, 28)
        if rgb_format:
            images = numpy.broadcast_to(images, (len(images), 3, 28, 28))
    elif ndim != 1:
        raise ValueError(f"{fn}: invalid ndim for MNIST dataset: {ndim} (expected 1, 2 or 3)")
    out = scale_images(images, image_dtype(fn, dtype), scale)
    if withlabel:
        return TupleDataset(out, raw["y"].astype(label_dtype))
    return out


def _load(
    fn: str,
    source: Source,
    withlabel: bool,
    ndim: int,
    scale: float,
    dtype: DTypeLike | None,
    label_dtype: DTypeLike,
    rgb_format: bool,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    # Check the cheap arguments before touching any file.
    if ndim not in (1, 2, 3):
        raise ValueError(f"{fn}: invalid ndim for MNIST dataset: {ndim} (expected 1, 2 or 3)")
    image_dtype(fn, dtype)
    raw = _raw_splits(source)
    return tuple(  # type: ignore[return-value]  # exactly two splits
        _preprocess(fn, raw[split], withlabel, ndim, scale, dtype, label_dtype, rgb_format)
        for split in ("train", "test")
    )


@overload
def get_mnist(
    withlabel: Literal[True] = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages, LabeledImages]: ...


@overload
def get_mnist(
    withlabel: Literal[False],
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[Array, Array]: ...


@overload
def get_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages | Array, LabeledImages | Array]: ...


def get_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    """The MNIST handwritten digits: ``(train, test)`` with 60,000 and 10,000 images.

    Args:
        withlabel: return ``TupleDataset(images, labels)``; else just the images.
        ndim: 1 gives images of shape (784,), 2 gives (28, 28), 3 gives (1, 28, 28).
        scale: pixels are scaled to ``[0, scale]``.
        dtype: image dtype (``None``: ``fchain.config.dtype``, float32 by default).
        label_dtype: label dtype.
        rgb_format: with ``ndim=3``, repeat the channel to shape (3, 28, 28).
    """
    return _load("get_mnist", MNIST_SOURCE, withlabel, ndim, scale, dtype, label_dtype,
                 rgb_format)


@overload
def get_fashion_mnist(
    withlabel: Literal[True] = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages, LabeledImages]: ...


@overload
def get_fashion_mnist(
    withlabel: Literal[False],
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[Array, Array]: ...


@overload
def get_fashion_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages | Array, LabeledImages | Array]: ...


def get_fashion_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: DTypeLike | None = None,
    label_dtype: DTypeLike = numpy.int32,
    rgb_format: bool = False,
) -> tuple[LabeledImages | Array, LabeledImages | Array]:
    """Zalando's Fashion-MNIST (same shapes and arguments as ``get_mnist``)."""
    return _load("get_fashion_mnist", FASHION_MNIST_SOURCE, withlabel, ndim, scale, dtype,
                 label_dtype, rgb_format)


def get_fashion_mnist_labels() -> tuple[str, ...]:
    """The ten Fashion-MNIST class names, indexed by label."""
    return _FASHION_LABELS

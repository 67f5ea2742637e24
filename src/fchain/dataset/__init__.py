"""Chainer's ``chainer.dataset``: the dataset and iterator protocols, batch
converters and the dataset cache folder.  Ready-made datasets live in
``fchain.datasets`` and iterators in ``fchain.iterators``."""

from __future__ import annotations

from fchain.dataset import convert as convert
from fchain.dataset import dataset_mixin as dataset_mixin
from fchain.dataset import download as download
from fchain.dataset import iterator as iterator
from fchain.dataset.convert import Converter as Converter
from fchain.dataset.convert import DeviceLike as DeviceLike
from fchain.dataset.convert import Padding as Padding
from fchain.dataset.convert import concat_examples as concat_examples
from fchain.dataset.convert import converter as converter
from fchain.dataset.convert import to_device as to_device
from fchain.dataset.dataset_mixin import Dataset as Dataset
from fchain.dataset.dataset_mixin import DatasetMixin as DatasetMixin
from fchain.dataset.download import DownloadError as DownloadError
from fchain.dataset.download import cache_or_load_file as cache_or_load_file
from fchain.dataset.download import cached_download as cached_download
from fchain.dataset.download import get_dataset_directory as get_dataset_directory
from fchain.dataset.download import get_dataset_root as get_dataset_root
from fchain.dataset.download import set_dataset_root as set_dataset_root
from fchain.dataset.iterator import Iterator as Iterator

__all__ = [
    "Converter",
    "Dataset",
    "DatasetMixin",
    "DeviceLike",
    "DownloadError",
    "Iterator",
    "Padding",
    "cache_or_load_file",
    "cached_download",
    "concat_examples",
    "convert",
    "converter",
    "dataset_mixin",
    "download",
    "get_dataset_directory",
    "get_dataset_root",
    "iterator",
    "set_dataset_root",
    "to_device",
]

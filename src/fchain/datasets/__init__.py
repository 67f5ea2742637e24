"""Chainer's ``chainer.datasets``: dataset wrappers, splitters, datasets of image
files (``fchain.datasets.image_dataset``, with the optional extra ``fchain[image]``)
and of text lines (``fchain.datasets.text_dataset``), and loaders of real data sets
(MNIST, Fashion-MNIST, CIFAR-10/100, the Penn Treebank).

Loaders look for their files in the cache under ``$FCHAIN_DATASET_ROOT`` (default
``~/.fchain/dataset``), then in the system data folders (``/usr/share/datasets/...``),
then download them and verify their SHA-256 sums; see ``fchain.datasets.mnist``,
``fchain.datasets.cifar`` and ``fchain.datasets.ptb``.  ``words_from_text``
(``fchain.datasets.text_words``) turns any text file into ``get_ptb_words``' format.
"""

from __future__ import annotations

from fchain.dataset.dataset_mixin import Dataset as Dataset
from fchain.dataset.dataset_mixin import DatasetMixin as DatasetMixin
from fchain.datasets import cifar as cifar
from fchain.datasets import concatenated_dataset as concatenated_dataset
from fchain.datasets import dict_dataset as dict_dataset
from fchain.datasets import image_dataset as image_dataset
from fchain.datasets import mnist as mnist
from fchain.datasets import ptb as ptb
from fchain.datasets import sub_dataset as sub_dataset
from fchain.datasets import text_dataset as text_dataset
from fchain.datasets import text_words as text_words
from fchain.datasets import transform_dataset as transform_dataset
from fchain.datasets import tuple_dataset as tuple_dataset
from fchain.datasets._fetch import DatasetNotFoundError as DatasetNotFoundError
from fchain.datasets._idx import DatasetFileError as DatasetFileError
from fchain.datasets.cifar import get_cifar10 as get_cifar10
from fchain.datasets.cifar import get_cifar100 as get_cifar100
from fchain.datasets.concatenated_dataset import ConcatenatedDataset as ConcatenatedDataset
from fchain.datasets.dict_dataset import DictDataset as DictDataset
from fchain.datasets.image_dataset import ImageDataset as ImageDataset
from fchain.datasets.image_dataset import LabeledImageDataset as LabeledImageDataset
from fchain.datasets.image_dataset import LabeledZippedImageDataset as LabeledZippedImageDataset
from fchain.datasets.image_dataset import MultiZippedImageDataset as MultiZippedImageDataset
from fchain.datasets.image_dataset import ZippedImageDataset as ZippedImageDataset
from fchain.datasets.mnist import LabeledImages as LabeledImages
from fchain.datasets.mnist import get_fashion_mnist as get_fashion_mnist
from fchain.datasets.mnist import get_fashion_mnist_labels as get_fashion_mnist_labels
from fchain.datasets.mnist import get_mnist as get_mnist
from fchain.datasets.ptb import get_ptb_characters as get_ptb_characters
from fchain.datasets.ptb import (
    get_ptb_characters_vocabulary as get_ptb_characters_vocabulary,
)
from fchain.datasets.ptb import get_ptb_words as get_ptb_words
from fchain.datasets.ptb import get_ptb_words_vocabulary as get_ptb_words_vocabulary
from fchain.datasets.sub_dataset import SubDataset as SubDataset
from fchain.datasets.sub_dataset import (
    get_cross_validation_datasets as get_cross_validation_datasets,
)
from fchain.datasets.sub_dataset import (
    get_cross_validation_datasets_random as get_cross_validation_datasets_random,
)
from fchain.datasets.sub_dataset import split_dataset as split_dataset
from fchain.datasets.sub_dataset import split_dataset_n as split_dataset_n
from fchain.datasets.sub_dataset import split_dataset_n_random as split_dataset_n_random
from fchain.datasets.sub_dataset import split_dataset_random as split_dataset_random
from fchain.datasets.text_dataset import TextDataset as TextDataset
from fchain.datasets.text_words import WordSequences as WordSequences
from fchain.datasets.text_words import words_from_text as words_from_text
from fchain.datasets.transform_dataset import TransformDataset as TransformDataset
from fchain.datasets.tuple_dataset import TupleDataset as TupleDataset

__all__ = [
    "ConcatenatedDataset",
    "Dataset",
    "DatasetFileError",
    "DatasetMixin",
    "DatasetNotFoundError",
    "DictDataset",
    "ImageDataset",
    "LabeledImageDataset",
    "LabeledImages",
    "LabeledZippedImageDataset",
    "MultiZippedImageDataset",
    "SubDataset",
    "TextDataset",
    "TransformDataset",
    "TupleDataset",
    "WordSequences",
    "ZippedImageDataset",
    "cifar",
    "concatenated_dataset",
    "dict_dataset",
    "get_cifar10",
    "get_cifar100",
    "get_cross_validation_datasets",
    "get_cross_validation_datasets_random",
    "get_fashion_mnist",
    "get_fashion_mnist_labels",
    "get_mnist",
    "get_ptb_characters",
    "get_ptb_characters_vocabulary",
    "get_ptb_words",
    "get_ptb_words_vocabulary",
    "image_dataset",
    "mnist",
    "ptb",
    "split_dataset",
    "split_dataset_n",
    "split_dataset_n_random",
    "split_dataset_random",
    "sub_dataset",
    "text_dataset",
    "text_words",
    "transform_dataset",
    "tuple_dataset",
    "words_from_text",
]

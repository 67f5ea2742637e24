"""Datasets across ranks (``fchain.distributed.datasets``, ChainerMN's
``chainermn.datasets``)."""

from __future__ import annotations

from fchain.distributed.datasets.empty_dataset import create_empty_dataset as create_empty_dataset
from fchain.distributed.datasets.scatter import DataSizeError as DataSizeError
from fchain.distributed.datasets.scatter import scatter_dataset as scatter_dataset
from fchain.distributed.datasets.scatter import scatter_index as scatter_index

__all__ = ["DataSizeError", "create_empty_dataset", "scatter_dataset", "scatter_index"]

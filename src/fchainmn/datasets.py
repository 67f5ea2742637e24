"""``fchainmn.datasets``: ``fchain.distributed.datasets`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.datasets import DataSizeError as DataSizeError
from fchain.distributed.datasets import create_empty_dataset as create_empty_dataset
from fchain.distributed.datasets import scatter_dataset as scatter_dataset
from fchain.distributed.datasets import scatter_index as scatter_index

__all__ = ["DataSizeError", "create_empty_dataset", "scatter_dataset", "scatter_index"]

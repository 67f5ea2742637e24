"""``fchainmn``: ChainerMN for fchain.  ``import chainermn`` becomes ``import fchainmn``;
every name is the object of ``fchain.distributed`` (see there), and the submodules
(``fchainmn.links``, ``.functions``, ``.datasets``, ``.iterators``, ``.extensions``,
``.communicators``, ``.optimizers``, ``.global_except_hook``) are its submodules
under ChainerMN's names."""

from __future__ import annotations

from fchainmn import communicators as communicators
from fchainmn import datasets as datasets
from fchainmn import errors as errors
from fchainmn import extensions as extensions
from fchainmn import functions as functions
from fchainmn import global_except_hook as global_except_hook
from fchainmn import iterators as iterators
from fchainmn import links as links
from fchainmn import optimizers as optimizers
from fchain.distributed import CollectiveTimeoutError as CollectiveTimeoutError
from fchain.distributed import CommunicatorBase as CommunicatorBase
from fchain.distributed import DataSizeError as DataSizeError
from fchain.distributed import MultiNodeBatchNormalization as MultiNodeBatchNormalization
from fchain.distributed import MultiNodeChainList as MultiNodeChainList
from fchain.distributed import RemoteRankError as RemoteRankError
from fchain.distributed import create_communicator as create_communicator
from fchain.distributed import create_empty_dataset as create_empty_dataset
from fchain.distributed import create_multi_node_checkpointer as create_multi_node_checkpointer
from fchain.distributed import create_multi_node_evaluator as create_multi_node_evaluator
from fchain.distributed import create_multi_node_iterator as create_multi_node_iterator
from fchain.distributed import create_multi_node_n_step_rnn as create_multi_node_n_step_rnn
from fchain.distributed import create_multi_node_optimizer as create_multi_node_optimizer
from fchain.distributed import create_synchronized_iterator as create_synchronized_iterator
from fchain.distributed import mpi_available as mpi_available
from fchain.distributed import multi_node_snapshot as multi_node_snapshot
from fchain.distributed import scatter_dataset as scatter_dataset
from fchain.distributed import scatter_index as scatter_index

__version__ = "7.8.1+fchain"
"""The ChainerMN version whose API this follows."""

__all__ = [
    "__version__",
    "CollectiveTimeoutError",
    "CommunicatorBase",
    "communicators",
    "create_communicator",
    "create_empty_dataset",
    "create_multi_node_checkpointer",
    "create_multi_node_evaluator",
    "create_multi_node_iterator",
    "create_multi_node_n_step_rnn",
    "create_multi_node_optimizer",
    "create_synchronized_iterator",
    "datasets",
    "DataSizeError",
    "errors",
    "extensions",
    "functions",
    "global_except_hook",
    "iterators",
    "links",
    "mpi_available",
    "multi_node_snapshot",
    "MultiNodeBatchNormalization",
    "MultiNodeChainList",
    "optimizers",
    "RemoteRankError",
    "scatter_dataset",
    "scatter_index",
]

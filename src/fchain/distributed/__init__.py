"""``fchain.distributed``: ChainerMN's API (data and model parallelism over MPI).

``import chainermn`` becomes ``import fchainmn`` (the same objects) or
``import fchain.distributed as chainermn``::

    comm = fchainmn.create_communicator("naive")          # every rank of mpirun
    optimizer = fchainmn.create_multi_node_optimizer(optimizers.Adam(), comm)
    train = fchainmn.scatter_dataset(train if comm.rank == 0 else None, comm, shuffle=True)

Run with ``mpirun -np 2 python train.py``.  Importing this package does not load
MPI; ``create_communicator`` does, and says what to install where it is missing
(``pip install 'fchain[mpi]'`` and an MPI library such as Open MPI).

Every communication is bounded by the communicator's ``timeout``: a rank that died,
hung or raised makes the others fail with an error naming it and the call
(``fchain.distributed.errors``), and an uncaught exception on any rank ends the
whole job (``global_except_hook``).
"""

from __future__ import annotations

from fchain.distributed import communicators as communicators
from fchain.distributed import datasets as datasets
from fchain.distributed import errors as errors
from fchain.distributed import extensions as extensions
from fchain.distributed import functions as functions
from fchain.distributed import global_except_hook as global_except_hook
from fchain.distributed import iterators as iterators
from fchain.distributed import links as links
from fchain.distributed import optimizers as optimizers
from fchain.distributed._mpi import mpi_available as mpi_available
from fchain.distributed.communicators import CommunicatorBase as CommunicatorBase
from fchain.distributed.communicators import create_communicator as create_communicator
from fchain.distributed.datasets import DataSizeError as DataSizeError
from fchain.distributed.datasets import create_empty_dataset as create_empty_dataset
from fchain.distributed.datasets import scatter_dataset as scatter_dataset
from fchain.distributed.datasets import scatter_index as scatter_index
from fchain.distributed.errors import CollectiveTimeoutError as CollectiveTimeoutError
from fchain.distributed.errors import RemoteRankError as RemoteRankError
from fchain.distributed.extensions import (
    create_multi_node_checkpointer as create_multi_node_checkpointer,
)
from fchain.distributed.extensions import create_multi_node_evaluator as create_multi_node_evaluator
from fchain.distributed.extensions import multi_node_snapshot as multi_node_snapshot
from fchain.distributed.iterators import create_multi_node_iterator as create_multi_node_iterator
from fchain.distributed.iterators import create_synchronized_iterator as create_synchronized_iterator
from fchain.distributed.links import MultiNodeBatchNormalization as MultiNodeBatchNormalization
from fchain.distributed.links import MultiNodeChainList as MultiNodeChainList
from fchain.distributed.links import create_multi_node_n_step_rnn as create_multi_node_n_step_rnn
from fchain.distributed.optimizers import create_multi_node_optimizer as create_multi_node_optimizer

__all__ = [
    "CollectiveTimeoutError",
    "CommunicatorBase",
    "DataSizeError",
    "MultiNodeBatchNormalization",
    "MultiNodeChainList",
    "RemoteRankError",
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
    "errors",
    "extensions",
    "functions",
    "global_except_hook",
    "iterators",
    "links",
    "mpi_available",
    "multi_node_snapshot",
    "optimizers",
    "scatter_dataset",
    "scatter_index",
]

global_except_hook._add_hook_if_enabled()

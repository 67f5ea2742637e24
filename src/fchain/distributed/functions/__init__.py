"""Differentiable communication between ranks (``fchain.distributed.functions``,
ChainerMN's ``chainermn.functions``), and multi-node batch normalization."""

from __future__ import annotations

from fchain.distributed.functions.batch_normalization import (
    multi_node_batch_normalization as multi_node_batch_normalization,
)
from fchain.distributed.functions.collective_communication import allgather as allgather
from fchain.distributed.functions.collective_communication import alltoall as alltoall
from fchain.distributed.functions.collective_communication import bcast as bcast
from fchain.distributed.functions.collective_communication import gather as gather
from fchain.distributed.functions.collective_communication import scatter as scatter
from fchain.distributed.functions.point_to_point_communication import recv as recv
from fchain.distributed.functions.point_to_point_communication import send as send
from fchain.distributed.functions.pseudo_connect import pseudo_connect as pseudo_connect

__all__ = ["allgather", "alltoall", "bcast", "gather", "multi_node_batch_normalization",
           "pseudo_connect", "recv", "scatter", "send"]

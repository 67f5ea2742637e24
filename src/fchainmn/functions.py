"""``fchainmn.functions``: ``fchain.distributed.functions`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.functions import allgather as allgather
from fchain.distributed.functions import alltoall as alltoall
from fchain.distributed.functions import bcast as bcast
from fchain.distributed.functions import gather as gather
from fchain.distributed.functions import multi_node_batch_normalization as multi_node_batch_normalization
from fchain.distributed.functions import pseudo_connect as pseudo_connect
from fchain.distributed.functions import recv as recv
from fchain.distributed.functions import scatter as scatter
from fchain.distributed.functions import send as send

__all__ = [
    "allgather",
    "alltoall",
    "bcast",
    "gather",
    "multi_node_batch_normalization",
    "pseudo_connect",
    "recv",
    "scatter",
    "send",
]

"""``fchainmn.errors``: ``fchain.distributed.errors`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.errors import CollectiveTimeoutError as CollectiveTimeoutError
from fchain.distributed.errors import CommunicatorClosedError as CommunicatorClosedError
from fchain.distributed.errors import DistributedError as DistributedError
from fchain.distributed.errors import MpiUnavailableError as MpiUnavailableError
from fchain.distributed.errors import NcclUnavailableError as NcclUnavailableError
from fchain.distributed.errors import RemoteRankError as RemoteRankError

__all__ = [
    "CollectiveTimeoutError",
    "CommunicatorClosedError",
    "DistributedError",
    "MpiUnavailableError",
    "NcclUnavailableError",
    "RemoteRankError",
]

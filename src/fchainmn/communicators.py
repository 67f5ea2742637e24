"""``fchainmn.communicators``: ``fchain.distributed.communicators`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.communicators import CommunicatorBase as CommunicatorBase
from fchain.distributed.communicators import CommunicatorName as CommunicatorName
from fchain.distributed.communicators import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from fchain.distributed.communicators import create_communicator as create_communicator

__all__ = ["CommunicatorBase", "CommunicatorName", "DEFAULT_TIMEOUT", "create_communicator"]

"""``fchainmn.iterators``: ``fchain.distributed.iterators`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.iterators import MultiNodeIterator as MultiNodeIterator
from fchain.distributed.iterators import create_multi_node_iterator as create_multi_node_iterator
from fchain.distributed.iterators import create_synchronized_iterator as create_synchronized_iterator

__all__ = ["MultiNodeIterator", "create_multi_node_iterator", "create_synchronized_iterator"]

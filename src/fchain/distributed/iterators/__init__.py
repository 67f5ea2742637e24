"""Iterators across ranks (``fchain.distributed.iterators``, ChainerMN's
``chainermn.iterators``)."""

from __future__ import annotations

from fchain.distributed.iterators.multi_node_iterator import MultiNodeIterator as MultiNodeIterator
from fchain.distributed.iterators.multi_node_iterator import (
    create_multi_node_iterator as create_multi_node_iterator,
)
from fchain.distributed.iterators.synchronized_iterator import (
    create_synchronized_iterator as create_synchronized_iterator,
)

__all__ = ["MultiNodeIterator", "create_multi_node_iterator", "create_synchronized_iterator"]

"""``fchainmn.optimizers``: ``fchain.distributed.optimizers`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.optimizers import MultiNodeOptimizer as MultiNodeOptimizer
from fchain.distributed.optimizers import create_multi_node_optimizer as create_multi_node_optimizer

__all__ = ["MultiNodeOptimizer", "create_multi_node_optimizer"]

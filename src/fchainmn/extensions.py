"""``fchainmn.extensions``: ``fchain.distributed.extensions`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.extensions import AllreducePersistent as AllreducePersistent
from fchain.distributed.extensions import GenericMultiNodeEvaluator as GenericMultiNodeEvaluator
from fchain.distributed.extensions import MultiNodeEarlyStoppingTrigger as MultiNodeEarlyStoppingTrigger
from fchain.distributed.extensions import ObservationAggregator as ObservationAggregator
from fchain.distributed.extensions import create_multi_node_checkpointer as create_multi_node_checkpointer
from fchain.distributed.extensions import create_multi_node_evaluator as create_multi_node_evaluator
from fchain.distributed.extensions import multi_node_snapshot as multi_node_snapshot

__all__ = [
    "AllreducePersistent",
    "GenericMultiNodeEvaluator",
    "MultiNodeEarlyStoppingTrigger",
    "ObservationAggregator",
    "create_multi_node_checkpointer",
    "create_multi_node_evaluator",
    "multi_node_snapshot",
]

"""Trainer extensions across ranks (``fchain.distributed.extensions``, ChainerMN's
``chainermn.extensions``)."""

from __future__ import annotations

from fchain.distributed.extensions.allreduce_persistent import AllreducePersistent as AllreducePersistent
from fchain.distributed.extensions.checkpoint import (
    create_multi_node_checkpointer as create_multi_node_checkpointer,
)
from fchain.distributed.extensions.multi_node_early_stopping_trigger import (
    MultiNodeEarlyStoppingTrigger as MultiNodeEarlyStoppingTrigger,
)
from fchain.distributed.extensions.multi_node_evaluator import (
    GenericMultiNodeEvaluator as GenericMultiNodeEvaluator,
)
from fchain.distributed.extensions.multi_node_evaluator import (
    create_multi_node_evaluator as create_multi_node_evaluator,
)
from fchain.distributed.extensions.multi_node_snapshot import multi_node_snapshot as multi_node_snapshot
from fchain.distributed.extensions.observation_aggregator import (
    ObservationAggregator as ObservationAggregator,
)

__all__ = [
    "AllreducePersistent",
    "GenericMultiNodeEvaluator",
    "MultiNodeEarlyStoppingTrigger",
    "ObservationAggregator",
    "create_multi_node_checkpointer",
    "create_multi_node_evaluator",
    "multi_node_snapshot",
]

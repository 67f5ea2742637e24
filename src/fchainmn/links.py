"""``fchainmn.links``: ``fchain.distributed.links`` under ChainerMN's name."""

from __future__ import annotations

from fchain.distributed.links import MultiNodeBatchNormalization as MultiNodeBatchNormalization
from fchain.distributed.links import MultiNodeChainList as MultiNodeChainList
from fchain.distributed.links import MultiNodeNStepRNN as MultiNodeNStepRNN
from fchain.distributed.links import create_mnbn_model as create_mnbn_model
from fchain.distributed.links import create_multi_node_n_step_rnn as create_multi_node_n_step_rnn

__all__ = [
    "MultiNodeBatchNormalization",
    "MultiNodeChainList",
    "MultiNodeNStepRNN",
    "create_mnbn_model",
    "create_multi_node_n_step_rnn",
]

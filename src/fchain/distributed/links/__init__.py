"""Links across ranks (``fchain.distributed.links``, ChainerMN's ``chainermn.links``)."""

from __future__ import annotations

from fchain.distributed.links.batch_normalization import (
    MultiNodeBatchNormalization as MultiNodeBatchNormalization,
)
from fchain.distributed.links.create_mnbn_model import create_mnbn_model as create_mnbn_model
from fchain.distributed.links.multi_node_chain_list import MultiNodeChainList as MultiNodeChainList
from fchain.distributed.links.n_step_rnn import MultiNodeNStepRNN as MultiNodeNStepRNN
from fchain.distributed.links.n_step_rnn import (
    create_multi_node_n_step_rnn as create_multi_node_n_step_rnn,
)

__all__ = ["MultiNodeBatchNormalization", "MultiNodeChainList", "MultiNodeNStepRNN",
           "create_mnbn_model", "create_multi_node_n_step_rnn"]

"""``MultiNodeBatchNormalization``: ``L.BatchNormalization`` whose training-mode
statistics are those of the global batch over every rank of ``comm`` (useful when
each rank's batch is too small for reliable statistics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.functions.batch_normalization import multi_node_batch_normalization
from fchain.graph.config import config
from fchain.graph.variable import Variable
from fchain.initializers._base import InitializerLike
from fchain.links.normalization.batch_normalization import BatchNormalization
from fchain.types import Array, DTypeLike

__all__ = ["MultiNodeBatchNormalization"]


class MultiNodeBatchNormalization(BatchNormalization):
    """Batch normalization with the statistics of the whole batch across ranks.

    The arguments are ``L.BatchNormalization``'s plus ``comm``;
    ``communication_backend`` (``'mpi'``, ``'nccl'`` or ``'auto'``) is accepted for
    ChainerMN's signature: the statistics go through ``comm``, whose kind decides
    (a CUDA communicator uses NCCL for GPU arrays).  Test mode and fine-tuning use
    the running statistics as ``L.BatchNormalization`` does; keep them the same on
    every rank with ``extensions.AllreducePersistent`` if the ranks drift.
    """

    N: int  # declared again: this class counts fine-tuning batches itself

    def __init__(self, size: int | Sequence[int], comm: CommunicatorBase, decay: float = 0.9,
                 eps: float = 2e-5, dtype: DTypeLike | None = None, use_gamma: bool = True,
                 use_beta: bool = True, initial_gamma: InitializerLike = None,
                 initial_beta: InitializerLike = None, communication_backend: str = "auto") -> None:
        if communication_backend not in ("mpi", "nccl", "auto"):
            raise ValueError(f"MultiNodeBatchNormalization does not support {communication_backend}.")
        if communication_backend == "nccl" and not getattr(comm, "uses_nccl", False):
            raise ValueError(f"nccl is not supported in MultiNodeBatchNormalization when using "
                             f"{type(comm).__name__}")
        super().__init__(size, decay, eps, dtype, use_gamma, use_beta, initial_gamma, initial_beta)
        self.__dict__["comm"] = comm
        self.__dict__["communication_backend"] = communication_backend

    @property
    def comm(self) -> CommunicatorBase:
        communicator: CommunicatorBase = self.__dict__["comm"]
        return communicator

    def forward(self, x: Variable | Array, finetune: bool = False) -> Variable:
        if not config.train:
            return super().forward(x, finetune)
        if finetune:
            self.N += 1
            decay = 1.0 - 1.0 / self.N
        else:
            decay = self.decay
        gamma, beta = self._affine(tuple(self.avg_mean.shape), self._highprec_dtype)
        return multi_node_batch_normalization(
            self.comm, x, gamma, beta, eps=self.eps, running_mean=self.avg_mean,
            running_var=self.avg_var, decay=decay, axis=self.axis)

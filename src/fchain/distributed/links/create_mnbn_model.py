"""``create_mnbn_model``: a copy of a model with every ``L.BatchNormalization``
replaced by a ``MultiNodeBatchNormalization`` with the same settings, parameters
and running statistics."""

from __future__ import annotations

import copy
from typing import TypeVar

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.distributed.links.batch_normalization import MultiNodeBatchNormalization
from fchain.facade.chain import Chain
from fchain.facade.chain_list import ChainList
from fchain.facade.link_base import Link
from fchain.links.normalization.batch_normalization import BatchNormalization

__all__ = ["create_mnbn_model"]

L_ = TypeVar("L_", bound=Link)


def _convert(link: Link, comm: CommunicatorBase, backend: str) -> Link:
    if isinstance(link, BatchNormalization) and not isinstance(link, MultiNodeBatchNormalization):
        mean = link.avg_mean
        mnbn = MultiNodeBatchNormalization(
            tuple(mean.shape), comm, decay=link.decay, eps=link.eps, dtype=mean.dtype,
            use_gamma=link.gamma is not None, use_beta=link.beta is not None,
            communication_backend=backend)
        mnbn.axis = link.axis
        mnbn.copyparams(link)
        mnbn.N = link.N
        return mnbn
    if isinstance(link, Chain):
        clone = copy.deepcopy(link)
        for name, child in list(clone.namedlinks(skipself=True)):
            if "/" not in name[1:]:  # direct children only; deeper ones recurse
                setattr(clone, name[1:], _convert(child, comm, backend))
        return clone
    if isinstance(link, ChainList):
        listed: ChainList[Link] = copy.deepcopy(link)
        for i, child in enumerate(list(listed)):
            listed[i] = _convert(child, comm, backend)
        return listed
    return copy.deepcopy(link)


def create_mnbn_model(link: L_, comm: CommunicatorBase, communication_backend: str = "auto") -> L_:
    """A deep copy of ``link`` in which each ``BatchNormalization`` is a
    ``MultiNodeBatchNormalization`` over ``comm`` (the original is unchanged)."""
    converted = _convert(link, comm, communication_backend)
    return converted  # type: ignore[return-value]  # the same class, except a BN itself

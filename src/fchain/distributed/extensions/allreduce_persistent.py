"""``AllreducePersistent``: average a model's floating persistent arrays (batch
normalization's running statistics) over the ranks, so the model evaluated or
saved on any rank has statistics of every rank's data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy

from fchain.core import backend
from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.facade.link_base import Link
from fchain.training.extension import PRIORITY_WRITER, Extension
from fchain.types import Array

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["AllreducePersistent"]


def _float_persistents(model: Link) -> Iterator[tuple[str, Array]]:
    """``(path, array)`` of every floating persistent array, sorted by path (the
    same order on every rank)."""
    found: list[tuple[str, Array]] = []
    for path, link in model.namedlinks():
        for name in link._persistent:
            value = link.__dict__.get(name)
            is_array = isinstance(value, numpy.ndarray) or backend.is_cupy_array(value)
            if is_array and getattr(value, "dtype").kind == "f":
                found.append((f"{path}/{name}", value))  # type: ignore[arg-type]  # an array, checked above
    yield from sorted(found, key=lambda item: item[0])


class AllreducePersistent(Extension):
    """Replace each floating persistent array of ``model`` by its mean over the
    ranks of ``comm``, in place (integers and Python scalars are left alone).  Runs
    just before the evaluators by default (every epoch)."""

    trigger: TriggerLike = (1, "epoch")
    priority = PRIORITY_WRITER + 1

    def __init__(self, model: Link, comm: CommunicatorBase) -> None:
        self.model = model
        self.comm = comm

    def __call__(self, trainer: Trainer | None = None) -> None:
        mean = getattr(self.comm, "_multi_node_mean")
        for _, array in _float_persistents(self.model):
            mean(None, array)

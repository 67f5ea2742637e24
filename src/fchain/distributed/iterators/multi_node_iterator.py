"""``create_multi_node_iterator``: one rank iterates, every rank gets its batches.

For model parallelism (an encoder on one rank, its decoder on another) every rank
must see the same batch at the same step.  The master rank runs the actual iterator
and broadcasts each batch (any picklable examples, not only the float32 arrays
ChainerMN's version handles) together with the epoch counters, which the other
ranks mirror so that triggers fire on every rank at the same iteration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from fchain.distributed.communicators.communicator_base import CommunicatorBase

if TYPE_CHECKING:
    from fchain.facade.serializer import AbstractSerializer

__all__ = ["ActualIterator", "MultiNodeIterator", "create_multi_node_iterator"]

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)


class ActualIterator(Protocol[E_co]):
    """What the master's iterator must do (``SerialIterator`` and the others do)."""

    def __next__(self) -> Iterable[E_co]: ...

    def reset(self) -> None: ...

    def serialize(self, serializer: AbstractSerializer) -> None: ...

_STATE_KEYS = ("epoch", "current_position", "is_new_epoch", "epoch_detail",
               "previous_epoch_detail")


class MultiNodeIterator(Generic[E]):
    """The batches of the master's iterator on every rank (made by
    ``create_multi_node_iterator``).  Every rank must call ``next``, ``reset`` and
    ``serialize`` at the same points."""

    def __init__(self, actual_iterator: ActualIterator[E] | None, communicator: CommunicatorBase,
                 rank_master: int) -> None:
        self.communicator = communicator
        self.rank_master = rank_master
        self.actual_iterator: ActualIterator[E] | None = (
            actual_iterator if communicator.rank == rank_master else None)
        if self.actual_iterator is None:
            self._state: dict[str, Any] = {"epoch": 0, "current_position": 0,
                                           "is_new_epoch": False, "epoch_detail": 0.0,
                                           "previous_epoch_detail": None}
        else:
            self._state = self._read_state()
        self.batch_size: int | None = communicator.bcast_obj(
            getattr(actual_iterator, "batch_size", None) if self.is_master else None,
            root=rank_master)

    @property
    def is_master(self) -> bool:
        return self.actual_iterator is not None

    def _read_state(self) -> dict[str, Any]:
        it = self.actual_iterator
        return {key: getattr(it, key, None) for key in _STATE_KEYS}

    def __iter__(self) -> MultiNodeIterator[E]:
        return self

    def __next__(self) -> list[E]:
        actual = self.actual_iterator
        if actual is not None:
            try:
                batch: list[E] | None = list(next(actual))
            except StopIteration:
                batch = None
            message = self.communicator.bcast_obj((batch, self._read_state()),
                                                  root=self.rank_master)
        else:
            message = self.communicator.bcast_obj(None, root=self.rank_master)
        batch, self._state = message
        if batch is None:
            raise StopIteration
        return batch

    next = __next__

    @property
    def epoch(self) -> int:
        return int(self._state["epoch"] or 0)

    @property
    def current_position(self) -> int:
        return int(self._state["current_position"] or 0)

    @property
    def is_new_epoch(self) -> bool:
        return bool(self._state["is_new_epoch"])

    @property
    def epoch_detail(self) -> float:
        return float(self._state["epoch_detail"] or 0.0)

    @property
    def previous_epoch_detail(self) -> float | None:
        value = self._state["previous_epoch_detail"]
        return None if value is None else float(value)

    def reset(self) -> None:
        """Restart the actual iterator (on the master) and the mirrored counters."""
        if self.actual_iterator is not None:
            self.actual_iterator.reset()
            self._state = self._read_state()
        else:
            self._state = {"epoch": 0, "current_position": 0, "is_new_epoch": False,
                           "epoch_detail": 0.0, "previous_epoch_detail": None}

    def serialize(self, serializer: AbstractSerializer) -> None:
        """The master saves or loads its iterator; the others then take its counters
        (and write them too, so every rank's snapshot has the same keys)."""
        if self.actual_iterator is not None:
            self.actual_iterator.serialize(serializer)
            self._state = self._read_state()
            state = self.communicator.bcast_obj(self._state, root=self.rank_master)
        else:
            state = self.communicator.bcast_obj(None, root=self.rank_master)
            for key in ("epoch", "current_position", "is_new_epoch"):
                serializer(key, state[key])
        self._state = dict(state)

    def finalize(self) -> None:
        if self.is_master:
            finalize = getattr(self.actual_iterator, "finalize", None)
            if finalize is not None:
                finalize()


def create_multi_node_iterator(actual_iterator: ActualIterator[E] | None,
                               communicator: CommunicatorBase,
                               rank_master: int = 0) -> MultiNodeIterator[E]:
    """An iterator that gives every rank the batches ``actual_iterator`` gives on
    ``rank_master`` (the other ranks may pass ``None``).  Collective: every rank
    calls it, and then calls ``next`` in step."""
    return MultiNodeIterator(actual_iterator, communicator, rank_master)

"""Chainer's abstract dataset ``Iterator``: the protocol updaters and evaluators use."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from fchain.facade.serializer import AbstractSerializer

__all__ = ["Iterator"]

E = TypeVar("E")


class Iterator(Generic[E]):
    """Base class of dataset iterators.

    ``next(it)`` (or ``it.next()``) returns a list of examples: a mini-batch.  An
    iterator reports where it is in terms of epochs (``epoch``, ``epoch_detail``,
    ``previous_epoch_detail``, ``is_new_epoch``) and can be saved in a snapshot
    (``serialize``); fchain's iterators can also be rewound (``reset``; Chainer's
    base class has no ``reset`` and evaluators check for it).  ``finalize`` releases
    worker threads or processes; iterators are also context managers that finalize
    on exit.
    """

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> list[E]:
        raise NotImplementedError

    def next(self) -> list[E]:
        """The next mini-batch (Python 2 spelling kept by Chainer)."""
        return self.__next__()

    if TYPE_CHECKING:
        # Read-only views for type checkers only.  At run time the base class has no
        # such attributes (as in Chainer), so a subclass may assign them
        # (``self.epoch = 0``, after declaring ``epoch: int``) or define properties.

        @property
        def epoch(self) -> int:
            """Completed sweeps over the dataset."""
            raise NotImplementedError

        @property
        def epoch_detail(self) -> float:
            """``epoch`` plus the fraction of the current epoch already read."""
            raise NotImplementedError

        @property
        def previous_epoch_detail(self) -> float | None:
            """``epoch_detail`` before the last batch (``None`` before the first)."""
            raise NotImplementedError

        @property
        def is_new_epoch(self) -> bool:
            """True when the last batch completed an epoch."""
            raise NotImplementedError

    def finalize(self) -> None:
        """Release resources (worker threads or processes).  Idempotent."""

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load the position of the iterator (Chainer's keys)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finalize()

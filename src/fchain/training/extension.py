"""Extensions: what the Trainer runs between updates (Chainer's ``Extension`` API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fchain.facade.serializer import AbstractSerializer

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = [
    "PRIORITY_EDITOR",
    "PRIORITY_READER",
    "PRIORITY_WRITER",
    "Extension",
    "make_extension",
]

PRIORITY_WRITER = 300
"""Extensions that write observations (Evaluator) run first."""
PRIORITY_EDITOR = 200
"""Extensions that edit observations (LogReport collects them) run next."""
PRIORITY_READER = 100
"""Extensions that only read (PrintReport, ProgressBar) run last."""


class Extension:
    """Base class of trainer extensions.

    Class attributes ``trigger``, ``priority`` and ``default_name`` are defaults that
    ``Trainer.extend`` reads; ``name`` is set by the trainer.
    """

    trigger: TriggerLike = (1, "iteration")
    priority: int = PRIORITY_READER
    name: str | None = None

    @property
    def default_name(self) -> str:
        return type(self).__name__

    def __call__(self, trainer: Trainer) -> object:
        raise NotImplementedError

    def initialize(self, trainer: Trainer) -> None:
        """Called once before training (and on resume)."""

    def finalize(self) -> None:
        """Called when training ends, normally or not."""

    def on_error(self, trainer: Trainer, exc: BaseException, tb: object) -> None:
        """Called when training stops with an exception."""

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load the extension's state (nothing by default)."""


F = TypeVar("F", bound=Callable[..., Any])


def make_extension(trigger: TriggerLike = None, default_name: str | None = None,
                   priority: int | None = None, finalizer: Callable[[], None] | None = None,
                   initializer: Callable[[Trainer], None] | None = None,
                   on_error: Callable[[Trainer, BaseException, object], None] | None = None,
                   ) -> Callable[[F], F]:
    """Decorate a function ``f(trainer)`` so the trainer treats it as an extension.

    As in Chainer, ``trigger=None`` and ``priority=None`` mean ``Extension``'s
    defaults: every iteration, at ``PRIORITY_READER``.
    """
    if trigger is None:
        trigger = Extension.trigger
    if priority is None:
        priority = Extension.priority

    def decorator(ext: F) -> F:
        setattr(ext, "trigger", trigger)
        setattr(ext, "default_name", default_name or getattr(ext, "__name__", type(ext).__name__))
        setattr(ext, "priority", priority)
        if finalizer is not None:
            setattr(ext, "finalize", finalizer)
        if initializer is not None:
            setattr(ext, "initialize", initializer)
        if on_error is not None:
            setattr(ext, "on_error", on_error)
        return ext

    return decorator

"""Training: Trainer, updaters, extensions and triggers (``fchain.training``)."""

from __future__ import annotations

from fchain.training import extensions as extensions
from fchain.training._types import Trigger as Trigger
from fchain.training._types import TriggerLike as TriggerLike
from fchain.training import triggers as triggers
from fchain.training import updater as updater
from fchain.training import updaters as updaters
from fchain.training.extension import PRIORITY_EDITOR as PRIORITY_EDITOR
from fchain.training.extension import PRIORITY_READER as PRIORITY_READER
from fchain.training.extension import PRIORITY_WRITER as PRIORITY_WRITER
from fchain.training.extension import Extension as Extension
from fchain.training.extension import make_extension as make_extension
from fchain.training.trainer import Trainer as Trainer
from fchain.training.triggers.util import get_trigger as get_trigger
from fchain.training.updaters.updater import StandardUpdater as StandardUpdater
from fchain.training.updaters.updater import Updater as Updater

__all__ = [
    "PRIORITY_EDITOR",
    "PRIORITY_READER",
    "PRIORITY_WRITER",
    "Extension",
    "StandardUpdater",
    "Trainer",
    "Trigger",
    "TriggerLike",
    "Updater",
    "extensions",
    "get_trigger",
    "make_extension",
    "triggers",
    "updater",
    "updaters",
]

"""Updaters (``fchain.training.updaters``)."""

from __future__ import annotations

from fchain.training.updaters.multiprocess_parallel_updater import (
    MultiprocessParallelUpdater as MultiprocessParallelUpdater,
)
from fchain.training.updaters.parallel_updater import ParallelUpdater as ParallelUpdater
from fchain.training.updaters.updater import StandardUpdater as StandardUpdater
from fchain.training.updaters.updater import Updater as Updater

__all__ = ["MultiprocessParallelUpdater", "ParallelUpdater", "StandardUpdater", "Updater"]

"""``fchain.training.updater``: the module path Chainer keeps for its updaters
(``chainer.training.updater.StandardUpdater``); the classes live in
``fchain.training.updaters``."""

from __future__ import annotations

from fchain.training.updaters.updater import StandardUpdater as StandardUpdater
from fchain.training.updaters.updater import Updater as Updater

__all__ = ["StandardUpdater", "Updater"]

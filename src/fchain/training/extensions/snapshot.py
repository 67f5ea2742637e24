"""snapshot and snapshot_object: save the trainer (or any object) atomically.

Files are written to a temporary file in the same folder, flushed and renamed, so a
crash never leaves a truncated snapshot where the previous one was.  ``n_retains``
keeps only the newest files; ``autoload`` loads the newest snapshot in ``out`` before
training (resume).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from fchain.facade.serializer import Savable, Serializable
from fchain.serializers._atomic import atomic_write
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["snapshot", "snapshot_object"]

SaveFun = Callable[[str, Savable], None]
"""``savefun(path, target)``: writes ``target`` to the file ``path``."""


def _default_save(path: str, target: Savable) -> None:
    from fchain.serializers import save_npz

    save_npz(path, target)


def _default_load(path: str, target: Serializable) -> None:
    from fchain.serializers import load_npz

    load_npz(path, target)


def _atomic_save(savefun: SaveFun, folder: str, filename: str, target: Savable) -> str:
    """Save through ``savefun`` so that the file appears complete or not at all.

    fchain's own ``save_npz`` is already atomic and is called on the final path; a
    user's ``savefun`` goes through the same helper: it writes a file with the final
    name inside a temporary folder next to the target (so ``numpy.savez`` sees the
    ``.npz`` it needs and appends nothing), which is flushed and renamed over it.
    """
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    if savefun is _default_save:
        savefun(path, target)
    else:
        atomic_write(path, lambda temp: savefun(temp, target))
    return path


class _Snapshot(Extension):
    trigger: TriggerLike = (1, "epoch")
    priority = -100

    def __init__(self, target: Savable | None = None, condition: Callable[[], bool] | None = None,
                 savefun: SaveFun | None = None, filename: str = "snapshot_iter_{.updater.iteration}",
                 snapshot_on_error: bool = False, n_retains: int = -1, autoload: bool = False,
                 loadfun: Callable[[str, Serializable], None] | None = None) -> None:
        self._target = target
        self.filename = filename
        self.condition = condition if condition is not None else (lambda: True)
        self._savefun = savefun if savefun is not None else _default_save
        self._loadfun = loadfun if loadfun is not None else _default_load
        self._snapshot_on_error = snapshot_on_error
        self.n_retains = n_retains
        self.autoload = autoload

    @property
    def default_name(self) -> str:
        return "_Snapshot"

    def _pattern(self) -> re.Pattern[str]:
        parts = re.split(r"\{[^}]*\}", self.filename)
        return re.compile("^" + r"(\d+)".join(re.escape(p) for p in parts) + "$")

    def _existing(self, folder: str) -> list[str]:
        """This extension's snapshot files in ``folder``, oldest first: by mtime (as
        Chainer), then by the numbers in the name (files written within the clock's
        resolution: ``snapshot_iter_10`` is newer than ``snapshot_iter_9``)."""
        pattern = self._pattern()
        found: list[tuple[float, tuple[int, ...], str]] = []
        for path in glob.glob(os.path.join(glob.escape(folder), "*")):
            match = pattern.match(os.path.basename(path))
            if match and os.path.isfile(path):
                numbers = tuple(int(g) for g in match.groups())
                found.append((os.path.getmtime(path), numbers, path))
        return [path for _, _, path in sorted(found)]

    def initialize(self, trainer: Trainer) -> None:
        if not self.autoload:
            return
        target = trainer if self._target is None else self._target
        existing = self._existing(trainer.out)
        if existing:
            if isinstance(target, Mapping):
                raise TypeError("snapshot: autoload loads into an object with serialize(), "
                                "not into a mapping")
            self._loadfun(existing[-1], target)

    def on_error(self, trainer: Trainer, exc: BaseException, tb: object) -> None:
        if self._snapshot_on_error:
            self._make_snapshot(trainer)

    def __call__(self, trainer: Trainer) -> None:
        if self.condition():
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer: Trainer) -> None:
        target = trainer if self._target is None else self._target
        filename = self.filename.format(trainer) if "{" in self.filename else self.filename
        _atomic_save(self._savefun, trainer.out, filename, target)
        if self.n_retains > 0:
            existing = self._existing(trainer.out)
            for old in existing[:-self.n_retains]:
                os.remove(old)


def snapshot(savefun: SaveFun | None = None, filename: str = "snapshot_iter_{.updater.iteration}",
             *, target: Savable | None = None, condition: Callable[[], bool] | None = None,
             snapshot_on_error: bool = False, n_retains: int = -1, autoload: bool = False) -> Extension:
    """Snapshot the trainer (or ``target``) every epoch as ``<out>/<filename>``.

    ``filename`` is formatted with the trainer (``'snapshot_iter_{.updater.iteration}'``);
    resume with ``fchain.serializers.load_npz(path, trainer)`` or ``autoload=True``.
    """
    return _Snapshot(target, condition, savefun, filename, snapshot_on_error, n_retains, autoload)


def snapshot_object(target: Savable, filename: str, savefun: SaveFun | None = None, *,
                    condition: Callable[[], bool] | None = None, snapshot_on_error: bool = False,
                    n_retains: int = -1, autoload: bool = False) -> Extension:
    """Snapshot ``target`` (a model, an optimizer, ...) every epoch as ``<out>/<filename>``."""
    return _Snapshot(target, condition, savefun, filename, snapshot_on_error, n_retains, autoload)

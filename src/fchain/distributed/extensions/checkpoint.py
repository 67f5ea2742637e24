"""``create_multi_node_checkpointer``: generational per-rank checkpoints (ChainerMN's
deprecated API; ``multi_node_snapshot`` is the current one).

Each rank saves ``<name>.<rank>.<iteration>`` atomically; every ``gc_interval``
saves the ranks agree on the iterations all of them have and keep the newest
``cp_interval`` of those.  ``maybe_load`` loads the newest iteration every rank has,
so a job killed while some ranks were still saving resumes consistently.
``finalize`` removes the checkpoints at the end of a training that raised nothing.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import TYPE_CHECKING, Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training._types import TriggerLike
    from fchain.training.trainer import Trainer

__all__ = ["create_multi_node_checkpointer"]


class _MultiNodeCheckpointer(Extension):
    trigger: TriggerLike = (1, "epoch")
    priority = -100

    def __init__(self, name: str, comm: CommunicatorBase, cp_interval: int, gc_interval: int,
                 path: str | None) -> None:
        if not name:
            raise ValueError("create_multi_node_checkpointer: name must be a non-empty string")
        if "." in name:
            raise ValueError(f"create_multi_node_checkpointer: name must not contain '.', got {name!r}")
        if cp_interval <= 0 or gc_interval <= 0:
            raise ValueError("create_multi_node_checkpointer: cp_interval and gc_interval must be "
                             "positive")
        self.name: str | None = name
        self.comm = comm
        self.cp_interval = cp_interval
        self.gc_interval = gc_interval
        self.path = path
        self.files: list[str] = []
        self._saves = 0
        self._durations: list[float] = []
        self._failed = False
        if path is not None:
            os.makedirs(path, exist_ok=True)

    @property
    def default_name(self) -> str:
        return "multi_node_checkpointer"

    def _filename(self, iteration: int) -> str:
        return f"{self.name}.{self.comm.rank}.{iteration}"

    def _iterations(self, files: list[str]) -> set[int]:
        found = set()
        for filename in files:
            parts = filename.split(".")
            if (len(parts) == 3 and parts[0] == self.name and parts[1] == str(self.comm.rank)
                    and parts[2].isdigit()):
                found.add(int(parts[2]))
        return found

    def _common(self, mine: set[int]) -> list[int]:
        """The iterations every rank has, oldest first (collective)."""
        everyone = self.comm.gather_obj(sorted(mine), root=0)
        common: list[int] | None = None
        if everyone is not None:
            common = sorted(set.intersection(*(set(its) for its in everyone)))
        return self.comm.bcast_obj(common, root=0)

    def __call__(self, trainer: Trainer) -> None:
        if self.path is None:
            self.path = trainer.out
        self.save(trainer, trainer.updater.iteration)

    def save(self, target: Any, iteration: int) -> None:
        """Checkpoint ``target`` as this rank's ``iteration`` (every rank calls it at
        the same iteration)."""
        from fchain.serializers import save_npz

        if self.path is None:
            raise RuntimeError("the checkpointer has no path: pass path= or use it as an extension")
        os.makedirs(self.path, exist_ok=True)
        start = time.perf_counter()
        save_npz(os.path.join(self.path, self._filename(iteration)), target)  # atomic
        self._durations.append(time.perf_counter() - start)
        self.files.append(self._filename(iteration))
        self._saves += 1
        if self._saves % self.gc_interval == 0:
            self._collect_garbage()

    def _collect_garbage(self) -> None:
        keep = set(self._common(self._iterations(self.files))[-self.cp_interval:])
        for filename in list(self.files):
            if int(filename.rsplit(".", 1)[1]) not in keep:
                self._remove(filename)

    def _remove(self, filename: str) -> None:
        assert self.path is not None
        try:
            os.remove(os.path.join(self.path, filename))
        except FileNotFoundError:
            pass
        if filename in self.files:
            self.files.remove(filename)

    def maybe_load(self, trainer: Any, optimizer: Any = None, path: str | None = None) -> None:
        """Load the newest checkpoint every rank has into ``trainer`` (any
        serializable target); does nothing when there is none.  Call it on every
        rank before ``trainer.run()``, after adding the extensions with state."""
        from fchain.serializers import load_npz

        if self.path is None:
            self.path = path if path is not None else trainer.out
        try:
            local = os.listdir(self.path)
        except FileNotFoundError:
            local = []
        mine = self._iterations(local)
        self.files = [self._filename(i) for i in sorted(mine)]
        common = self._common(mine)
        if common:
            load_npz(os.path.join(self.path, self._filename(common[-1])), trainer)

    def on_error(self, trainer: Trainer, exc: BaseException, tb: object) -> None:
        self._failed = True

    def finalize(self) -> None:
        """Remove this rank's checkpoints when training ended without an error
        (after one they are kept for ``maybe_load``; ChainerMN removes them)."""
        if self._failed or self.path is None:
            return
        for filename in list(self.files):
            self._remove(filename)

    def get_stats(self) -> str:
        """Save-time statistics of this rank."""
        if not self._durations:
            return "No stats available"
        d = self._durations
        return (f"Snapshot duration stats (sec): avg={sum(d) / len(d):f}, min={min(d):f}, "
                f"max={max(d):f}")


def create_multi_node_checkpointer(name: str, comm: CommunicatorBase, cp_interval: int = 5,
                                   gc_interval: int = 5, path: str | None = None) -> _MultiNodeCheckpointer:
    """A trainer extension saving each rank's checkpoint ``<name>.<rank>.<iteration>``
    into ``path`` (default: the trainer's ``out``); call ``maybe_load(trainer)`` on
    every rank before training to resume.  Deprecated in ChainerMN in favour of
    ``multi_node_snapshot``, which warns here too."""
    warnings.warn("create_multi_node_checkpointer is deprecated; use multi_node_snapshot",
                  DeprecationWarning, stacklevel=2)
    return _MultiNodeCheckpointer(name, comm, cp_interval, gc_interval, path)

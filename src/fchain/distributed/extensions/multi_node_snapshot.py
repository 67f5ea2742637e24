"""``multi_node_snapshot``: each rank's state saved, and a crashed job resumed from a
snapshot every rank has.

The ranks are grouped into *replica sets* whose state is the same (in data-parallel
training every rank is a replica of rank 0; give ranks with different state, such as
the stages of a model-parallel network, sets of their own).  The first rank of each
set saves the wrapped ``snapshot`` under its name with ``.<rank>`` appended.

With ``autoload``, at start-up the saving ranks agree on the newest iteration that
*all* of them have a snapshot of (a crash between two ranks' saves leaves the
newest one on only some: ChainerMN would load different iterations on different
ranks), load it, and send it to the other ranks of their set.
"""

from __future__ import annotations

import glob
import io
import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fchain.distributed.communicators.communicator_base import CommunicatorBase
from fchain.training.extension import Extension

if TYPE_CHECKING:
    from fchain.training.trainer import Trainer

__all__ = ["multi_node_snapshot", "parse_replica_sets", "snapshot_numbers"]


def parse_replica_sets(replica_sets: Iterable[int | Iterable[int]], size: int) -> list[set[int]]:
    """Replica sets as sets of ranks; the ranks not named form one more set."""
    sets: list[set[int]] = []
    for entry in replica_sets:
        ranks = {entry} if isinstance(entry, int) else set(entry)
        for rank in ranks:
            if not 0 <= rank < size:
                raise ValueError(f"multi_node_snapshot: rank {rank} in replica_sets is not a rank "
                                 f"(0..{size - 1})")
        for other in sets:
            if ranks & other:
                raise ValueError(f"multi_node_snapshot: ranks {sorted(ranks & other)} are in two "
                                 "replica sets")
        if ranks:
            sets.append(ranks)
    rest = set(range(size)) - set().union(*sets)
    if rest:
        sets.append(rest)
    return sets


def snapshot_numbers(filename: str, folder: str) -> dict[int, str]:
    """The snapshots of ``filename`` (a format such as ``'snapshot_iter_{.updater.
    iteration}.0'``) in ``folder``, by the number in their name."""
    parts = re.split(r"\{[^}]*\}", filename)
    if len(parts) != 2:
        return {}
    pattern = re.compile("^" + re.escape(parts[0]) + r"(\d+)" + re.escape(parts[1]) + "$")
    found = {}
    for path in glob.glob(os.path.join(glob.escape(folder), "*")):
        match = pattern.match(os.path.basename(path))
        if match and os.path.isfile(path):
            found[int(match.group(1))] = path
    return found


class _MultiNodeSnapshot(Extension):
    def __init__(self, comm: CommunicatorBase, snapshot: Extension,
                 replica_sets: Iterable[int | Iterable[int]]) -> None:
        filename = getattr(snapshot, "filename", None)
        if not isinstance(filename, str):
            raise TypeError("multi_node_snapshot: expected an extension made by "
                            f"extensions.snapshot() or snapshot_object(), got {type(snapshot).__name__}")
        self.comm = comm
        self.snapshot = snapshot
        setattr(snapshot, "filename", f"{filename}.{comm.rank}")
        self.trigger = snapshot.trigger
        self.priority = snapshot.priority
        sets = parse_replica_sets(replica_sets, comm.size)
        self.replica_set = next(s for s in sets if comm.rank in s)
        self.master = min(self.replica_set)
        self._masters = sorted(min(s) for s in sets)

    @property
    def default_name(self) -> str:
        return "multi_node_snapshot"

    @property
    def is_master(self) -> bool:
        return self.master == self.comm.rank

    def initialize(self, trainer: Trainer) -> None:
        if not getattr(self.snapshot, "autoload", False):
            return
        target = getattr(self.snapshot, "_target", None) or trainer
        found = snapshot_numbers(str(getattr(self.snapshot, "filename")), trainer.out)
        offers = self.comm.gather_obj(sorted(found) if self.is_master else None, root=0)
        chosen: int | None = None
        if offers is not None:
            common = set.intersection(*(set(offers[m] or ()) for m in self._masters))
            chosen = max(common) if common else None
        chosen = self.comm.bcast_obj(chosen, root=0)  # the root's choice, possibly None
        if chosen is None:
            return
        if self.is_master:
            load = getattr(self.snapshot, "_loadfun", None) or _load_npz
            load(found[chosen], target)
            payload = _dump(target) if len(self.replica_set) > 1 else None
            for rank in sorted(self.replica_set - {self.comm.rank}):
                self.comm.send_obj(payload, rank)
        else:
            received = self.comm.recv_obj(self.master)
            if not isinstance(received, bytes):
                raise TypeError(f"multi_node_snapshot: rank {self.master} sent a "
                                f"{type(received).__name__}, expected the bytes of a snapshot")
            from fchain.serializers import load_npz

            load_npz(io.BytesIO(received), target)

    def __call__(self, trainer: Trainer) -> None:
        if self.is_master:
            self.snapshot(trainer)

    def on_error(self, trainer: Trainer, exc: BaseException, tb: object) -> None:
        if self.is_master:
            self.snapshot.on_error(trainer, exc, tb)

    def finalize(self) -> None:
        if self.is_master:
            self.snapshot.finalize()


def _load_npz(path: str, target: Any) -> None:
    from fchain.serializers import load_npz

    load_npz(path, target)


def _dump(target: Any) -> bytes:
    from fchain.serializers import save_npz

    buf = io.BytesIO()
    save_npz(buf, target)
    return buf.getvalue()


def multi_node_snapshot(comm: CommunicatorBase, snapshot: Extension,
                        replica_sets: Sequence[int | Iterable[int]] = ()) -> Extension:
    """Wrap ``snapshot`` (from ``extensions.snapshot()`` or ``snapshot_object()``) so
    the first rank of each replica set saves it, as ``<filename>.<rank>``.

    ``replica_sets``: ranks (an int) or groups of ranks whose state is the same;
    the ranks not named form one more set.  ``()``: every rank is a replica of
    rank 0 (data parallelism; only rank 0 saves); ``[[r] for r in range(size)]``:
    every rank saves its own state.  With the snapshot's ``autoload`` the job
    resumes from the newest iteration every saving rank has.
    """
    return _MultiNodeSnapshot(comm, snapshot, replica_sets)

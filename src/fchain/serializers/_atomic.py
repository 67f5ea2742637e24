"""Atomic saves: a file appears complete or not at all, and what a killed save
leaves behind is removed by the next save of the same file.

``atomic_write(path, write)`` lets ``write`` fill a file with the target's own name
inside a scratch folder next to the target, ``.NAME.<16 hex digits>.tmp``, flushes
it and renames it over the target.  A save that returns or raises removes its
scratch folder.  A save that is killed (SIGKILL, the OOM killer, a power cut)
cannot; its folder, with a partial file, stays until the next save of the same
target removes it.

**Which leftovers a save removes.**  Only scratch folders of its own target that no
save is still using, so two processes saving the same file never delete each
other's work:

* The name must be exactly ``.NAME.<token>.tmp`` for this target's ``NAME``; a
  token holds no dot, so another target's folders never match.  The entry must be
  a real folder (not a link) owned by this user.
* Each save holds an exclusive ``flock`` on a lock file in its scratch folder for
  as long as it runs.  The operating system releases the lock when the process
  dies, however it dies, so a folder whose lock can be taken belongs to a dead
  save and is removed while the lock is held; one whose lock is held is left
  alone.  The lock file is created under another name, locked, then renamed into
  place, so no other save ever sees it unlocked while its owner lives.
* A folder without a lock file (left by an fchain before this scheme, which named
  its folders ``.NAME.<8 characters>.tmp``, or by a save killed before it took its
  lock) is removed only when it holds nothing but the target's file and nothing in
  it changed for a day, which no live save produces.  Where ``fcntl`` is missing
  (Windows) that age rule is the only one.

Removal is best effort: a folder that cannot be inspected or removed is skipped and
the save goes on.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable

try:
    import fcntl
except ImportError:  # Windows: only the age rule removes leftovers
    fcntl = None  # type: ignore[assignment]  # the module is optional; every use checks for None

__all__ = ["HAS_LOCKS", "STALE_AFTER_SECONDS", "atomic_write", "remove_stale_scratch"]

HAS_LOCKS = fcntl is not None
"""Whether saves lock their scratch folders (POSIX); without, only the age rule applies."""

STALE_AFTER_SECONDS = 24 * 60 * 60
"""How long a scratch folder without a lock must be untouched before a save of the
same target removes it."""

_TOKEN = re.compile(r"[0-9a-f]{16}")
_LEGACY_TOKEN = re.compile(r"[a-z0-9_]{8}")  # tempfile.mkdtemp's names, used before the lock


def _lock_name(base: str) -> str:
    """The lock file's name in a scratch folder: never the target's own name."""
    return ".fchain-save.lock" if base != ".fchain-save.lock" else ".fchain-save.lock_"


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _make_scratch(folder: str, base: str) -> str:
    while True:
        scratch = os.path.join(folder, f".{base}.{secrets.token_hex(8)}.tmp")
        try:
            os.mkdir(scratch, 0o700)
        except FileExistsError:
            continue
        return scratch


def _hold_lock(scratch: str, base: str) -> int | None:
    """Take the scratch folder's lock (see the module docstring); the descriptor
    holds it until closed.  ``None`` where ``fcntl`` is missing."""
    if fcntl is None:
        return None
    lock = os.path.join(scratch, _lock_name(base))
    fd = os.open(lock + ".new", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        # A file system without locks (some network mounts): save without one;
        # the folder then falls under the age rule if this save is killed.
        os.close(fd)
        os.remove(lock + ".new")
        return None
    try:
        os.rename(lock + ".new", lock)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _newest_change(path: str, names: list[str]) -> float:
    newest = os.lstat(path).st_mtime
    for name in names:
        newest = max(newest, os.lstat(os.path.join(path, name)).st_mtime)
    return newest


def _judged_by_lock(path: str, lock: str) -> bool:
    """Remove ``path`` if its save is dead, that is, its lock can be taken; leave it
    if the lock is held.  False when there is no lock file to judge by."""
    assert fcntl is not None
    try:
        fd = os.open(lock, os.O_RDWR)  # for writing: NFS emulates flock by fcntl locks
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True  # held by a live save (or no locking here): leave it
        shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(fd)
    return True


def _remove_if_abandoned(path: str, base: str) -> None:
    """The age rule for a scratch folder without a lock file."""
    names = os.listdir(path)
    if not set(names) <= {base, _lock_name(base) + ".new"}:
        return  # not something a save of this target leaves
    if time.time() - _newest_change(path, names) > STALE_AFTER_SECONDS:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_scratch(target: str | os.PathLike[str]) -> None:
    """Remove the scratch folders that killed saves of ``target`` left (the rules
    are in the module docstring); best effort, never raises ``OSError``."""
    path = os.path.abspath(os.fspath(target))
    folder, base = os.path.split(path)
    prefix = f".{base}."
    getuid = getattr(os, "getuid", None)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        token = name[len(prefix):-len(".tmp")]
        if not (_TOKEN.fullmatch(token) or _LEGACY_TOKEN.fullmatch(token)):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if getuid is not None and entry.stat(follow_symlinks=False).st_uid != getuid():
                continue
            if fcntl is not None and _judged_by_lock(entry.path, os.path.join(entry.path, _lock_name(base))):
                continue
            _remove_if_abandoned(entry.path, base)
        except OSError:
            continue


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Create ``path`` through ``write(temporary_path)`` so that a reader sees either
    the old file or the complete new one, never a partial one.

    The temporary path is a file with the target's own name inside a fresh scratch
    folder next to the target (as Chainer's snapshot does), so a save function that
    looks at the extension (``numpy.savez`` appends ``.npz`` to a name without it,
    matplotlib picks the format from it) sees the real one.  The file is created
    first with the usual permissions (``0o666`` minus the umask), flushed after
    ``write`` and renamed over the target.  The scratch folder is removed when this
    returns or raises; a save killed outright leaves it, and the next save of the
    same target removes it (the module docstring says which folders qualify).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    if not base:
        raise IsADirectoryError(f"atomic_write: {target!r} names a folder, not a file")
    remove_stale_scratch(target)
    scratch = _make_scratch(folder, base)
    lock_fd: int | None = None
    tmp = os.path.join(scratch, base)
    try:
        lock_fd = _hold_lock(scratch, base)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        os.close(fd)  # the umask applies, as for a plain open()
        write(tmp)
        others = sorted(set(os.listdir(scratch)) - {base, _lock_name(base)})
        if others and os.path.getsize(tmp) == 0:
            raise OSError(
                f"atomic_write: the save function was given {tmp!r} but left it empty and "
                f"wrote {others} instead (a function that appends an extension to the name "
                f"it is given needs a target name that already ends with it); {target!r} "
                "was not changed")
        _fsync_path(tmp)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if lock_fd is not None:
            os.close(lock_fd)
    _fsync_dir(folder)

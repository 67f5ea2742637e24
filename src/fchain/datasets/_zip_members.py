"""Reading the files of a zip archive without extracting it, from several threads,
from forked worker processes, and after pickling.

A ``zipfile.ZipFile`` shares one file position among its readers, so every read
holds a lock; a forked child would share the parent's open file (and its position)
with the parent, so the archive is reopened in any process other than the one
that opened it; and pickling drops the open file and the lock (neither pickles),
which the next read recreates.  This is what ``MultiprocessIterator`` needs to
send a zipped dataset to its workers.
"""

from __future__ import annotations

import os
import threading
import zipfile

from fchain.datasets._idx import DatasetFileError
from fchain.errors import FchainError

__all__ = ["MissingMemberError", "ZipMembers"]


class MissingMemberError(FchainError, KeyError):
    """A file was asked of a zip archive that has no file of that name (a
    ``KeyError``, as ``zipfile`` raises)."""

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument, which would quote the message.
        return str(self.args[0]) if self.args else ""


def _open(dataset: str, archive: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise type(exc)(f"{dataset}: cannot open the zip archive {archive!r}: {exc.strerror}") from exc
    except zipfile.BadZipFile as exc:
        raise DatasetFileError(f"{dataset}: {archive!r} is not a zip archive ({exc})") from exc


class ZipMembers:
    """The files of the zip archive ``archive`` (directory entries left out), in
    the archive's order, read by name.  ``dataset`` names the owner in errors."""

    def __init__(self, dataset: str, archive: str | os.PathLike[str]) -> None:
        self._dataset = dataset
        self._archive = os.fspath(archive)
        self._zip: zipfile.ZipFile | None = _open(dataset, self._archive)
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self.names: list[str] = [n for n in self._zip.namelist() if not n.endswith("/")]
        self._known = frozenset(self.names)

    @property
    def archive(self) -> str:
        """The path of the archive, as given."""
        return self._archive

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def read(self, name: str) -> bytes:
        """The uncompressed bytes of the file ``name``."""
        if name not in self._known:
            raise MissingMemberError(
                f"{self._dataset}: the zip archive {self._archive!r} has no file named {name!r}"
            )
        with self._lock:
            if self._zip is None or self._pid != os.getpid():
                self._zip = _open(self._dataset, self._archive)
                self._pid = os.getpid()
            try:
                return self._zip.read(name)
            except zipfile.BadZipFile as exc:
                raise DatasetFileError(
                    f"{self._dataset}: {name!r} in the zip archive {self._archive!r} is "
                    f"corrupt ({exc})"
                ) from exc

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["_zip"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

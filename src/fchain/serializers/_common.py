"""What the npz and HDF5 formats share: key paths and the checked two-pass load.

**Keys.**  A key is the ``'/'``-joined path of names, with no leading slash
(``predictor/l1/W``), exactly as Chainer writes them.  A path component that starts
with ``__fchain`` is reserved for fchain's own metadata (``__fchain_version__``):
never reported as unexpected, and ignored by Chainer, which ignores every extra key.

Saving to a path is atomic (``fchain.serializers._atomic``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

import numpy

from fchain.core import backend
from fchain.errors import SerializationError
from fchain.graph.variable import Variable
from fchain.serializers._atomic import atomic_write as atomic_write
from fchain.types import Array

__all__ = [
    "FORMAT_VERSION",
    "IgnoreNames",
    "LoadError",
    "MissingKeyError",
    "VERSION_KEY",
    "UnexpectedKeys",
    "atomic_write",
    "check_format_version",
    "host_array",
    "join_path",
]

FORMAT_VERSION = 1
"""The version of fchain's file layout; written under ``VERSION_KEY``."""

VERSION_KEY = "__fchain_version__"

IgnoreName: TypeAlias = str | Callable[[str], bool]
IgnoreNames: TypeAlias = IgnoreName | Sequence[IgnoreName]
UnexpectedKeys: TypeAlias = Literal["warn", "ignore", "error"]
"""What a load does with file keys the target never asked for (module docstring)."""


class LoadError(SerializationError):
    """A load found problems; ``problems`` lists each one (key and what is wrong)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message


class MissingKeyError(LoadError, KeyError):
    """A strict load missed keys.  Also a ``KeyError``, which Chainer raises and
    Chainer-style ``serialize`` methods catch to tolerate an absent key."""


def join_path(path: str, key: str) -> str:
    """``path`` (ending in ``/`` or empty) joined with ``key``, leading slashes removed."""
    return path + key.lstrip("/")


def child_path(path: str, key: str) -> str:
    """The path of the child group ``key`` below ``path``."""
    return path + key.strip("/") + "/"


def normalize_root(path: str) -> str:
    """A user's ``path=`` prefix, with the trailing ``/`` Chainer expects added."""
    path = path.lstrip("/")
    if path and not path.endswith("/"):
        path += "/"
    return path


def is_reserved(key: str) -> bool:
    """True for fchain's own metadata keys."""
    return any(part.startswith("__fchain") for part in key.split("/"))


def host_array(where: str, key: str, value: object) -> Array:
    """``value`` as a numpy array for writing; ``None`` becomes a 0-d object array
    holding ``None`` (Chainer's convention); a value that numpy could only keep as an
    object array is refused, since fchain never pickles."""
    if value is None:
        return numpy.asarray(None)
    if isinstance(value, Variable):
        value = value.array
    if backend.is_cupy_array(value):
        return backend.to_numpy(value)  # type: ignore[arg-type]  # a cupy.ndarray
    array = numpy.asarray(value)
    if array.dtype.hasobject:
        raise SerializationError(
            f"{where}: cannot store {key!r}: a {type(value).__name__} is neither an array, "
            "a scalar, a string nor None, and fchain never pickles objects"
        )
    return array


def check_format_version(where: str, raw: object) -> None:
    """Refuse a file written by a newer fchain layout than this one reads."""
    try:
        version = int(str(numpy.asarray(raw)[()]))
    except (TypeError, ValueError):
        raise SerializationError(f"{where}: {VERSION_KEY} holds {raw!r}, not a format version number") from None
    if version > FORMAT_VERSION:
        raise SerializationError(
            f"{where}: the file has fchain format version {version}, but this fchain reads "
            f"versions up to {FORMAT_VERSION}; upgrade fchain to load it"
        )

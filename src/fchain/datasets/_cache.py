"""Caches of decoded data sets: written atomically (npz arrays, read with
``allow_pickle=False``, or text), validated before use."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable, Mapping
from typing import BinaryIO

import numpy

from fchain.types import Array

__all__ = ["load_or_build", "write_atomic"]


def write_atomic(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Create or replace ``path`` with what ``write`` writes to a binary file: the
    bytes go to a temporary file beside it, which is renamed into place once
    complete, so a reader never sees a half-written cache."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".cache.", suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _save_atomic(path: str, arrays: Mapping[str, Array]) -> None:
    def write(f: BinaryIO) -> None:
        numpy.savez_compressed(f, **arrays)  # type: ignore[arg-type]  # str keys are the array names

    write_atomic(path, write)


def _load(path: str, keys: tuple[str, ...]) -> dict[str, Array] | str:
    try:
        with numpy.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                return f"missing arrays {missing}"
            return {k: npz[k] for k in keys}
    except (OSError, ValueError, EOFError) as e:
        return f"unreadable ({e})"


def load_or_build(
    path: str,
    keys: tuple[str, ...],
    validate: Callable[[Mapping[str, Array]], str | None],
    build: Callable[[], dict[str, Array]],
) -> dict[str, Array]:
    """The arrays cached at ``path``; when the cache is absent or fails ``validate``
    (which returns a problem or ``None``), ``build()`` them and cache the result."""
    if os.path.isfile(path):
        loaded = _load(path, keys)
        problem = loaded if isinstance(loaded, str) else validate(loaded)
        if problem is None and not isinstance(loaded, str):
            return loaded
        warnings.warn(f"ignoring the dataset cache {path}: {problem}; rebuilding it", stacklevel=3)
    arrays = build()
    problem = validate(arrays)
    if problem is not None:
        raise AssertionError(f"{path}: freshly built arrays are invalid: {problem}")
    _save_atomic(path, arrays)
    return arrays

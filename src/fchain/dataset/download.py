"""Where downloaded data sets are cached (Chainer's ``chainer.dataset.download``).

The root is ``$FCHAIN_DATASET_ROOT``, else ``~/.fchain/dataset``; ``set_dataset_root``
changes it for the process.  Loaders keep Chainer's layout below the root
(``pfnet/chainer/mnist/train.npz``, ``pfnet/chainer/cifar/cifar-10.npz``, ...), and
``cached_download`` keeps Chainer's ``_dl_cache/<md5 of the URL>``, so pointing
``FCHAIN_DATASET_ROOT`` at an existing Chainer dataset root reuses its caches.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from typing import TypeVar

from fchain.dataset._transfer import DownloadRejectedError, download_file, sha256_of_file
from fchain.errors import FchainError

__all__ = [
    "DownloadError",
    "cache_or_load_file",
    "cached_download",
    "get_dataset_directory",
    "get_dataset_root",
    "set_dataset_root",
]

T = TypeVar("T")


class DownloadError(FchainError, OSError):
    """``cached_download`` could not download a file (offline, a server error, or
    bytes that were not the expected ones) and had no cached copy to give."""

_root: str | None = None


def get_dataset_root() -> str:
    """The folder under which data sets are cached."""
    if _root is not None:
        return _root
    env = os.environ.get("FCHAIN_DATASET_ROOT")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".fchain", "dataset")


def set_dataset_root(path: str | os.PathLike[str] | None) -> None:
    """Use ``path`` as the dataset root from now on (``None``: back to the default)."""
    global _root
    _root = None if path is None else os.fspath(path)


def get_dataset_directory(dataset_name: str, create_directory: bool = True) -> str:
    """``<root>/<dataset_name>``, created (with its parents) unless told not to."""
    if os.path.isabs(dataset_name) or ".." in dataset_name.replace("\\", "/").split("/"):
        raise ValueError(
            f"get_dataset_directory: dataset_name must be a relative path inside the "
            f"dataset root, got {dataset_name!r}"
        )
    path = os.path.join(get_dataset_root(), dataset_name)
    if create_directory:
        os.makedirs(path, exist_ok=True)
    return path


def _cache_path(url: str) -> str:
    """``<root>/_dl_cache/<md5 of url>``: Chainer's cache file of ``url``."""
    name = hashlib.md5(url.encode("utf-8"), usedforsecurity=False).hexdigest()
    return os.path.join(get_dataset_root(), "_dl_cache", name)


def cached_download(url: str, *, sha256: str | None = None) -> str:
    """The path of a local copy of ``url``, downloaded on the first call only.

    The copy lives at ``<dataset root>/_dl_cache/<md5 of the URL>`` (Chainer's
    place).  A download is written beside it and renamed into place once
    complete, and must match the server's Content-Length.  With ``sha256``
    (an fchain addition), both the download and an existing copy must have that
    SHA-256: a cached copy that does not is downloaded again, with a warning.

    Offline, or when the server fails, this raises ``DownloadError`` (an
    ``OSError``, as Chainer's errors are) naming the URL, what went wrong and
    where to put the file by hand.
    """
    path = _cache_path(url)
    if os.path.isfile(path):
        if sha256 is None:
            return path
        digest = sha256_of_file(path)
        if digest == sha256.lower():
            return path
        warnings.warn(f"cached_download: the cached copy of {url} at {path} has SHA-256 {digest}, "
                      f"not {sha256}; downloading it again", stacklevel=2)
    sys.stderr.write(f"Downloading from {url}...\n")
    sys.stderr.flush()
    try:
        return download_file(url, path, sha256=sha256)
    except (OSError, DownloadRejectedError) as e:
        pinned = f" with SHA-256 {sha256}" if sha256 is not None else ""
        raise DownloadError(
            f"cached_download: cannot download {url}: {e}\n"
            f"To work offline, fetch the file{pinned} elsewhere and put it at {path} "
            "(the cache of this URL; FCHAIN_DATASET_ROOT moves the cache root)") from e


def cache_or_load_file(path: str, creator: Callable[[str], T], loader: Callable[[str], T]) -> T:
    """``loader(path)`` when ``path`` exists; otherwise ``creator(tmp)``, which writes
    the file at the temporary path ``tmp`` and returns its content, after which the
    file is renamed to ``path`` (unless another process got there first) and that
    content returned.  The temporary file sits in ``path``'s folder (created as
    needed), so the rename is atomic.
    """
    if os.path.exists(path):
        return loader(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".create.", dir=folder)
    try:
        tmp = os.path.join(scratch, os.path.basename(path))
        content = creator(tmp)
        if not os.path.exists(path):
            os.replace(tmp, path)
        return content
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

"""Downloading one file safely, for the data set loaders and ``cached_download``.

The bytes go to a temporary file beside the destination; they are counted and
hashed as they arrive, checked against the expected size and SHA-256 (those that
are known), flushed to disk and only then renamed into place.  A failed, cut or
corrupt transfer therefore never leaves a file that looks complete, and two
processes downloading the same file each rename a whole copy.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from fchain.errors import FchainError

__all__ = ["DownloadRejectedError", "download_file", "sha256_of_file"]

DOWNLOAD_TIMEOUT_S = 60.0
_CHUNK = 1 << 16


class DownloadRejectedError(FchainError, ValueError):
    """Downloaded bytes were not the expected file (size or SHA-256); nothing was kept."""


def sha256_of_file(path: str) -> str:
    """The SHA-256 of the file at ``path``, as lowercase hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _declared_length(response: object) -> int | None:
    """The response's Content-Length, when the server sent a usable one."""
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def download_file(url: str, destination: str, *, size: int | None = None, sha256: str | None = None,
                  timeout: float = DOWNLOAD_TIMEOUT_S) -> str:
    """Download ``url`` to ``destination`` (its folder is created) and return it.

    ``size`` and ``sha256``, when given, are what the file must be; otherwise a
    Content-Length sent by the server must still match what arrived.  Raises
    ``OSError`` when the transfer fails (``urllib.error.URLError`` offline) and
    ``DownloadRejectedError`` when the bytes are not the expected ones; either way
    nothing is left behind.
    """
    import urllib.request  # only when downloading: it costs ~15 ms to import

    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(destination)}.", suffix=".part", dir=folder)
    try:
        h = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                expected = size if size is not None else _declared_length(response)
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    received += len(chunk)
                    if expected is not None and received > expected:
                        raise DownloadRejectedError(f"{url}: more than the expected {expected} bytes; rejected")
                    h.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and received != expected:
            raise DownloadRejectedError(f"{url}: received {received} bytes, expected {expected}; rejected")
        digest = h.hexdigest()
        if sha256 is not None and digest != sha256.lower():
            raise DownloadRejectedError(f"{url}: SHA-256 mismatch: got {digest}, expected {sha256}; rejected")
        os.replace(tmp, destination)
        return destination
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

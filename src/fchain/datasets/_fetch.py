"""Finding, verifying and downloading the files a data set loader needs.

A loader describes its files with a ``Source``.  ``fetch`` looks for each file, in
order, in the cache folder ``<dataset root>/<subdir>``, in the system data folders
(``datasets/<name>`` under each ``$XDG_DATA_DIRS`` entry, default
``/usr/local/share:/usr/share``, where e.g. Debian's ``dataset-fashion-mnist`` puts
the original files), for sources that say so in ``cached_download``'s cache (where
Chainer's loaders that use it downloaded the file: ``<dataset root>/_dl_cache/<md5 of
the URL>``), and finally downloads it from the source's URLs into the cache folder.

Every file is checked against SHA-256 sums published by others (TensorFlow Datasets'
checksum table, matched by independent projects): a download must match the sum of
the file as published; a local file may match that sum or, for gzip files, the sum of
its decompressed content (so a re-compressed copy, such as Debian's, or an
uncompressed one is accepted).  A file that matches neither is reported and skipped.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from fchain.dataset._transfer import DOWNLOAD_TIMEOUT_S, download_file, sha256_of_file
from fchain.dataset.download import _cache_path as cached_download_path
from fchain.dataset.download import get_dataset_root
from fchain.datasets._idx import GZIP_MAGIC, DatasetFileError, decompress_bounded
from fchain.errors import FchainError

__all__ = [
    "DatasetNotFoundError",
    "Source",
    "SourceFile",
    "fetch",
    "system_data_dirs",
]


class DatasetNotFoundError(FchainError, FileNotFoundError):
    """A data set's files are neither cached nor installed and could not be downloaded."""


@dataclass(frozen=True)
class SourceFile:
    """One file of a data set as its publisher distributes it."""

    name: str
    """File name as downloaded (e.g. ``train-images-idx3-ubyte.gz``)."""
    size: int
    """Size in bytes of the published file."""
    sha256: str
    """SHA-256 of the published file."""
    raw_name: str | None = None
    """Name of the decompressed file, for gzip files (``train-images-idx3-ubyte``)."""
    raw_size: int | None = None
    raw_sha256: str | None = None
    """SHA-256 of the decompressed content, when known."""


@dataclass(frozen=True)
class Source:
    """Where a data set's files come from."""

    title: str
    subdir: str
    """Cache folder below the dataset root (Chainer's layout)."""
    system_name: str
    """Folder name below ``<XDG data dir>/datasets``."""
    urls: tuple[str, ...]
    """Base URLs tried in order, each ending with ``/``."""
    files: tuple[SourceFile, ...]
    download_cache: bool = False
    """Also look for each file where ``cached_download(url)`` keeps it, for each of
    ``urls``: Chainer's loader of this data set downloads it that way."""


def system_data_dirs(source: Source) -> list[str]:
    """``<d>/datasets/<system_name>`` for each ``$XDG_DATA_DIRS`` entry ``d``."""
    dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [os.path.join(d, "datasets", source.system_name) for d in dirs.split(os.pathsep) if d]


def cache_dir(source: Source) -> str:
    return os.path.join(get_dataset_root(), source.subdir)


def _check_local(path: str, spec: SourceFile) -> str | None:
    """None when ``path`` holds ``spec``'s content, else what is wrong with it."""
    try:
        size = os.path.getsize(path)
        if size == spec.size and sha256_of_file(path) == spec.sha256:
            return None
        if spec.raw_sha256 is None or spec.raw_size is None:
            return (
                f"{path}: SHA-256 does not match the published {spec.name} "
                f"({spec.size} bytes, sha256 {spec.sha256})"
            )
        with open(path, "rb") as f:
            data = f.read(max(spec.size, spec.raw_size) + 1)
        if data[:2] == GZIP_MAGIC:
            data = decompress_bounded(data, spec.raw_size, path)
        if len(data) == spec.raw_size and hashlib.sha256(data).hexdigest() == spec.raw_sha256:
            return None
        return (
            f"{path}: content does not match {spec.raw_name or spec.name} "
            f"(expected {spec.raw_size} bytes with sha256 {spec.raw_sha256} once decompressed)"
        )
    except DatasetFileError as e:
        return str(e)
    except OSError as e:
        return f"{path}: cannot be read: {e}"


def _candidates(spec: SourceFile) -> list[str]:
    return [spec.name] + ([spec.raw_name] if spec.raw_name else [])


def _local_paths(source: Source, spec: SourceFile) -> list[str]:
    """Where ``spec`` may already be, in the order looked in."""
    paths = [os.path.join(folder, name)
             for folder in [cache_dir(source), *system_data_dirs(source)]
             for name in _candidates(spec)]
    if source.download_cache:
        paths.extend(cached_download_path(base + spec.name) for base in source.urls)
    return paths


def _find_local(source: Source, spec: SourceFile, problems: list[str]) -> str | None:
    for path in _local_paths(source, spec):
        if not os.path.isfile(path):
            continue
        problem = _check_local(path, spec)
        if problem is None:
            return path
        problems.append(problem)
    return None


def _download(url: str, spec: SourceFile, folder: str) -> str:
    """Download ``url`` into ``folder/spec.name`` after checking size and SHA-256;
    raises ``OSError`` or ``DownloadRejectedError`` (leaving nothing behind) otherwise."""
    return download_file(url, os.path.join(folder, spec.name), size=spec.size, sha256=spec.sha256,
                         timeout=DOWNLOAD_TIMEOUT_S)


def fetch(source: Source, names: Sequence[str] | None = None) -> dict[str, str]:
    """The path of every file of ``source`` (or of those named), by published name,
    found locally or downloaded; ``DatasetNotFoundError`` naming every missing file,
    every place looked in and every failed download otherwise."""
    found: dict[str, str] = {}
    problems: list[str] = []
    missing: list[SourceFile] = []
    wanted = [s for s in source.files if names is None or s.name in names]
    for spec in wanted:
        path = _find_local(source, spec, problems)
        if path is None:
            missing.append(spec)
        else:
            found[spec.name] = path
    folder = cache_dir(source)
    still_missing: list[SourceFile] = []
    for spec in missing:
        for base in source.urls:
            url = base + spec.name
            sys.stderr.write(f"fchain: downloading {url} ...\n")
            try:
                found[spec.name] = _download(url, spec, folder)
                break
            except (OSError, ValueError) as e:  # URLError is an OSError, DownloadRejectedError a ValueError
                problems.append(f"download {url}: {e}")
        else:
            still_missing.append(spec)
    if still_missing:
        raise DatasetNotFoundError(_not_found_message(source, still_missing, problems))
    return found


def _not_found_message(source: Source, missing: Sequence[SourceFile], problems: list[str]) -> str:
    folders = [cache_dir(source), *system_data_dirs(source)]
    lines = [
        f"{source.title}: cannot find, and could not download, "
        + ", ".join(s.name for s in missing)
        + ".",
        "Put these files (as published, or decompressed) in "
        f"{folders[0]} (the cache; set FCHAIN_DATASET_ROOT to move it) "
        "or in one of: " + ", ".join(folders[1:]) + ":",
    ]
    for s in missing:
        where = " or ".join(b + s.name for b in source.urls)
        lines.append(f"  {s.name}  ({s.size} bytes, sha256 {s.sha256}) from {where}")
    if problems:
        lines.append("Problems found:")
        lines.extend(f"  {p}" for p in problems)
    return "\n".join(lines)

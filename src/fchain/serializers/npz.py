"""NumPy ``.npz`` files in Chainer's layout: ``save_npz``, ``load_npz`` and the
``DictionarySerializer`` / ``NpzDeserializer`` behind them.

The file is a zip of ``<key>.npy`` members, one per saved value, keyed by the
``'/'``-joined path (``predictor/l1/W``); deflated by default, stored with
``compression=False``.  Members are written in sorted key order with fixed
timestamps, so the same state gives the same bytes.  fchain adds a 0-d string member
``__fchain_version__``, which Chainer ignores.

``None`` (an uninitialized lazy parameter) is written as Chainer writes it, a 0-d
object array, in the pickle form numpy 1.x produced, so Chainer reads it back as
``None``; fchain recognizes that form without unpickling (see ``_npy``).  Any other
object member is refused.  Loads never unpickle (``allow_pickle=False``).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from contextlib import nullcontext
from collections.abc import Iterator, Mapping, MutableMapping
from typing import IO, Any, TypeAlias, TypeVar, overload

import numpy
from numpy.lib import format as npy_format
from numpy.lib.npyio import NpzFile

from fchain.errors import SerializationError
from fchain.facade.serializer import Savable, Serializable, Serializer
from fchain.serializers import _npy
from fchain.serializers._atomic import atomic_write
from fchain.serializers._common import (
    FORMAT_VERSION,
    VERSION_KEY,
    IgnoreNames,
    UnexpectedKeys,
    check_format_version,
    child_path,
    host_array,
    join_path,
)
from fchain.serializers._flat_load import FlatDeserializer
from fchain.serializers._values import Declared
from fchain.types import Array

_V = TypeVar("_V")

__all__ = ["DictionarySerializer", "NpzDeserializer", "load_npz", "save_npz"]

FileLike: TypeAlias = str | os.PathLike[str] | IO[bytes]

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)

_MAX_DEFLATE_RATIO = 1032
"""Deflate's largest possible expansion (258 bytes from each 2-bit code): a member
can hold at most this many bytes per compressed byte, plus a little."""
_SLACK = 64 * 1024


class DictionarySerializer(Serializer):
    """Collects an object's values into a flat ``{key: array}`` dictionary.

    ``DictionarySerializer(target=None, path='')``: ``target`` is the dictionary to
    fill (a new one by default), ``path`` the prefix of every key.  Arrays are stored
    on the host (CuPy arrays are copied); scalars and strings become 0-d arrays;
    ``None`` becomes ``numpy.asarray(None)``, as in Chainer.
    """

    def __init__(self, target: MutableMapping[str, Array] | None = None, path: str = "") -> None:
        self.target: MutableMapping[str, Array] = {} if target is None else target
        self.path = path

    def __getitem__(self, key: str) -> DictionarySerializer:
        return DictionarySerializer(self.target, child_path(self.path, key))

    @overload
    def __call__(self, key: str, value: None) -> object: ...
    @overload
    def __call__(self, key: str, value: _V) -> _V: ...

    def __call__(self, key: str, value: object) -> object:
        full = join_path(self.path, key)
        self.target[full] = host_array("DictionarySerializer", full, value)
        return value


def _write_member(zf: zipfile.ZipFile, key: str, array: Array, compress_type: int) -> None:
    info = zipfile.ZipInfo(key + ".npy", date_time=_FIXED_DATE)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    with zf.open(info, "w", force_zip64=True) as member:
        if _npy.is_none_array(array):
            member.write(_npy.NONE_MEMBER)
        elif array.dtype.hasobject:
            raise SerializationError(
                f"save_npz: cannot store {key!r}: an object array would be pickled, which fchain never does"
            )
        else:
            npy_format.write_array(member, array, allow_pickle=False)


def _write_npz(fp: IO[bytes], target: Mapping[str, Array], compression: bool) -> None:
    """The whole archive, members in sorted key order."""
    compress_type = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(fp, mode="w", compression=compress_type, allowZip64=True) as zf:
        for key in sorted(target):
            _write_member(zf, key, target[key], compress_type)


def _collect(where: str, obj: Savable) -> dict[str, Array]:
    if isinstance(obj, Mapping):
        target = {str(k): host_array(where, str(k), v) for k, v in obj.items()}
    else:
        serializer = DictionarySerializer()
        serializer.save(obj)
        target = dict(serializer.target)
    target.setdefault(VERSION_KEY, numpy.asarray(str(FORMAT_VERSION)))
    return target


def save_npz(file: FileLike, obj: Savable, compression: bool = True) -> None:
    """Save ``obj`` (anything with ``serialize``, or a ``{key: array}`` dict) to
    ``file``, a path or a binary file object, in Chainer's npz layout.

    With a path the write is atomic (a temporary file in the same folder, flushed and
    renamed), so an interrupted save leaves the previous file intact.  The name is
    used as it is: no ``.npz`` is appended, as in Chainer.
    """
    target = _collect("save_npz", obj)
    if isinstance(file, (str, os.PathLike)):

        def write(tmp: str) -> None:
            with open(tmp, "wb") as fp:
                _write_npz(fp, target, compression)

        atomic_write(file, write)
    else:
        _write_npz(file, target, compression)


class _NpzArchive(Mapping[str, Array]):
    """A read-only npz archive; members are read (and CRC-checked) on access.

    ``None`` members come back as ``numpy.asarray(None)``, an in-memory 0-d object
    array; any other object member raises ``SerializationError``.
    """

    def __init__(self, zf: zipfile.ZipFile, where: str) -> None:
        self._zip = zf
        self._where = where
        self._members = {(n[:-4] if n.endswith(".npy") else n): n for n in zf.namelist()}
        self._plain: set[str] = set()  # members ``declare`` found to hold no objects

    @classmethod
    def open(cls, file: FileLike, where: str) -> _NpzArchive:
        name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else getattr(file, "name", "<file>")
        if isinstance(file, (str, os.PathLike)) and os.path.isdir(file):
            raise SerializationError(f"{where}: {name!r} is a folder, not an npz file")
        try:
            zf = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise SerializationError(
                f"{where}: {name!r} is not a readable npz file (a zip archive of .npy arrays); "
                f"it may be truncated or corrupt: {exc}"
            ) from exc
        return cls(zf, f"{where}({name!r})")

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> _NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, key: object) -> bool:
        return key in self._members

    def declare(self, key: str) -> Declared | None:
        """The member's shape and dtype from its ``.npy`` header, without its data;
        ``None`` for an object member (``__getitem__`` sorts those out).  The
        declared data must be exactly what the member holds, and the member no
        larger than its compressed bytes can expand to, so a crafted header never
        makes a read allocate more than the archive could really contain."""
        member = self._members[key]
        if not member.endswith(".npy"):
            raise SerializationError(f"{self._where}: member {member!r} is not an .npy array")
        info = self._zip.getinfo(member)
        try:
            with self._zip.open(member) as fp:
                header = _npy.read_header(fp)
                offset = fp.tell()
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise SerializationError(f"{self._where}: {key!r} is corrupt or truncated: {exc}") from exc
        if header is None or header[1].hasobject:
            return None
        self._plain.add(key)  # ``__getitem__`` need not look for a pickle again
        shape, dtype = header
        declared = Declared(shape, dtype)
        problem = None
        holds = info.file_size - offset
        if declared.nbytes != holds:
            problem = (f"the file declares a {dtype} array of shape {shape} ({declared.nbytes} bytes) but "
                       f"its member holds {holds} bytes of data; the file is corrupt or crafted")
        elif info.file_size > self._largest_expansion(info):
            problem = (f"its member claims {info.file_size} bytes from {info.compress_size} compressed "
                       "ones, more than the compression can produce; the file is corrupt or crafted")
        return Declared(shape, dtype, problem) if problem else declared

    def _largest_expansion(self, info: zipfile.ZipInfo) -> int:
        """The most bytes ``info``'s compressed data can expand to (no bound for a
        method other than stored and deflated)."""
        compressed = min(info.compress_size, max(self._zip.start_dir - info.header_offset, 0))
        if info.compress_type == zipfile.ZIP_STORED:
            return compressed
        if info.compress_type == zipfile.ZIP_DEFLATED:
            return compressed * _MAX_DEFLATE_RATIO + _SLACK
        return info.file_size

    def __getitem__(self, key: str) -> Array:
        member = self._members[key]
        if not member.endswith(".npy"):
            raise SerializationError(f"{self._where}: member {member!r} is not an .npy array")
        try:
            with self._zip.open(member) if key not in self._plain else nullcontext() as fp:
                header = None if fp is None else _npy.read_header(fp)
                if fp is not None and header is not None and header[1].hasobject:
                    payload = fp.read(8192)
                    if header[0] == () and _npy.recognize_pickled_none(payload):
                        return numpy.asarray(None)
                    raise SerializationError(
                        f"{self._where}: {key!r} holds a pickled Python object; fchain never "
                        "unpickles (only Chainer's stored None is understood)"
                    )
            with self._zip.open(member) as fp:
                array = npy_format.read_array(fp, allow_pickle=False)
                fp.read()  # to the end, so the zip's CRC is checked
        except SerializationError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise SerializationError(f"{self._where}: {key!r} is corrupt or truncated: {exc}") from exc
        return array


class _MappingSource:
    """A ``Source`` over a mapping of arrays (an npz archive or a plain dict)."""

    def __init__(self, mapping: Mapping[str, Array], where: str) -> None:
        self._mapping = mapping
        self._where = where

    def keys(self) -> Iterator[str]:
        return iter(self._mapping)

    def __contains__(self, key: str) -> bool:
        return key in self._mapping

    def read(self, key: str) -> Array | None:
        try:
            array = numpy.asarray(self._mapping[key])
        except SerializationError:
            raise  # from _NpzArchive: it already says what is wrong with the member
        except ValueError as exc:
            if "allow_pickle" in str(exc):  # numpy's own NpzFile refusing an object array
                raise SerializationError(
                    f"{self._where}: {key!r} holds a pickled Python object; fchain never "
                    f"unpickles: {exc}"
                ) from exc
            raise SerializationError(
                f"{self._where}: {key!r} is not an array (numpy cannot convert it): {exc}"
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise SerializationError(f"{self._where}: {key!r} is corrupt or truncated: {exc}") from exc
        if _npy.is_none_array(array):
            return None
        if array.dtype.hasobject:
            raise SerializationError(f"{self._where}: {key!r} is an object array, which fchain cannot load")
        return array

    def declare(self, key: str) -> Declared | None:
        """An archive's headers; nothing for a mapping whose arrays are already in
        memory (``read`` only converts them)."""
        if isinstance(self._mapping, _NpzArchive):
            return self._mapping.declare(key)
        return None


class NpzDeserializer(FlatDeserializer):
    """Reads Chainer's npz layout into an object's ``serialize``.

    ``NpzDeserializer(npz, path='', strict=True, ignore_names=None)``: ``npz`` is an
    opened archive (``numpy.load(file)``) or any mapping of key to array; ``path`` is
    a key prefix (``'updater/model:main/'`` reads a model out of a trainer
    snapshot); ``strict`` makes a missing key an error; ``ignore_names`` (a key, a
    predicate on the key, or a list of them) names keys to leave alone;
    ``unexpected_keys`` says what happens to keys of the file the object never asks
    for: ``'warn'`` (the default: ignored, as Chainer ignores them, with a
    ``SerializationWarning`` naming them), ``'ignore'`` or ``'error'``.

    ``load(obj)`` checks the whole file against ``obj`` first and changes nothing
    unless everything fits; it then raises one error listing every missing,
    unexpected (``unexpected_keys='error'`` only), mis-shaped or unreadable key.
    Shapes and dtypes are compared as the file declares them before any data is
    read, so a file cannot make the load allocate more than the object's arrays.
    """

    def __init__(self, npz: Mapping[str, Array], path: str = "", strict: bool = True,
                 ignore_names: IgnoreNames | None = None, *,
                 unexpected_keys: UnexpectedKeys = "warn") -> None:
        self.npz = npz
        mapping: Mapping[str, Array] = npz
        where = "NpzDeserializer"
        if isinstance(npz, NpzFile) and npz.zip is not None:
            name = getattr(npz.fid, "name", None)
            if isinstance(name, (str, os.PathLike)):
                where = f"NpzDeserializer({os.fspath(name)!r})"
            mapping = _NpzArchive(npz.zip, where)  # read None members without unpickling
        elif isinstance(npz, _NpzArchive):
            where = npz._where
        self._init_flat(_MappingSource(mapping, where), where, path, strict, ignore_names, unexpected_keys)
        self.path: str = self._path
        self.strict = strict
        self.ignore_names = ignore_names


def load_npz(file: FileLike, obj: Serializable, path: str = "", strict: bool = True,
             ignore_names: IgnoreNames | None = None, *, unexpected_keys: UnexpectedKeys = "warn") -> None:
    """Load an npz file (a path or binary file object) written by fchain or Chainer
    into ``obj``; arguments as for ``NpzDeserializer``.  A failed load raises one
    ``SerializationError`` listing every problem and leaves ``obj`` unchanged; a
    path that is no file raises ``FileNotFoundError`` (missing) or
    ``SerializationError`` (a folder, or not an npz file)."""
    with _NpzArchive.open(file, "load_npz") as archive:
        if VERSION_KEY in archive:
            check_format_version(archive._where, archive[VERSION_KEY])
        NpzDeserializer(archive, path=path, strict=strict, ignore_names=ignore_names,
                        unexpected_keys=unexpected_keys).load(obj)

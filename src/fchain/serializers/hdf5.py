"""HDF5 files in Chainer's layout: ``save_hdf5``, ``load_hdf5``, ``HDF5Serializer``
and ``HDF5Deserializer`` (h5py is imported only when one of them is used).

Every path component of a key is an HDF5 group and every value a dataset
(``/predictor/l1/W``).  Datasets with more than one element are gzip-compressed at
``compression`` (Chainer's default 4); scalars and one-element arrays are not.
``None`` is an empty float32 dataset (``h5py.Empty('f')``) and reads back as
``None``.

Beyond Chainer: strings (a LogReport's JSON log) are stored as UTF-8 variable-length
string datasets, which Chainer cannot write at all; fchain's format version is the
root attribute ``__fchain_version__``; ``load_hdf5`` also takes ``path``, ``strict``
and ``ignore_names``, as ``load_npz`` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, overload

import numpy

from fchain.errors import SerializationError
from fchain.facade.serializer import Savable, Serializable, Serializer
from fchain.serializers import _npy
from fchain.serializers._atomic import atomic_write
from fchain.serializers._h5group import HDF5Group
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

if TYPE_CHECKING:
    import h5py

_V = TypeVar("_V")

__all__ = ["HDF5Deserializer", "HDF5Group", "HDF5Serializer", "load_hdf5", "save_hdf5"]

PathLike: TypeAlias = str | os.PathLike[str]

# HDF5's filter codes (H5Z_FILTER_*) whose output is bounded: deflate expands each
# stored byte to at most 1032, shuffle and fletcher32 change no sizes.
_DEFLATE, _SHUFFLE, _FLETCHER32 = 1, 2, 3
_MAX_DEFLATE_RATIO = 1032
_SLACK = 1 << 20


def _h5py(where: str) -> Any:
    try:
        import h5py as module
    except ImportError as exc:
        raise ImportError(
            f"{where} needs h5py, which is not installed; install it (pip install h5py) "
            "or use the npz format (save_npz / load_npz)"
        ) from exc
    return module


class HDF5Serializer(Serializer):
    """Writes an object's values into an h5py group, one dataset per key.

    ``HDF5Serializer(group, compression=4)``: ``compression`` is the gzip level for
    datasets with more than one element (``None`` for none).
    """

    group: HDF5Group
    compression: int | None

    def __init__(self, group: HDF5Group, compression: int | None = 4) -> None:
        self._h5 = _h5py("HDF5Serializer")
        self.group = group
        self.compression = compression

    def __getitem__(self, key: str) -> HDF5Serializer:
        child = HDF5Serializer.__new__(HDF5Serializer)
        child._h5 = self._h5
        child.group = self.group.require_group(child_path("", key).rstrip("/"))
        child.compression = self.compression
        return child

    @overload
    def __call__(self, key: str, value: None) -> object: ...
    @overload
    def __call__(self, key: str, value: _V) -> _V: ...

    def __call__(self, key: str, value: object) -> object:
        name = join_path("", key)
        array = host_array("HDF5Serializer", name, value)
        h5 = self._h5
        if _npy.is_none_array(array):
            self.group.create_dataset(name, data=h5.Empty("f"))
        elif array.dtype.kind == "U":
            data = array.item() if array.ndim == 0 else array.astype(object)
            self.group.create_dataset(name, data=data, dtype=h5.string_dtype("utf-8"))
        else:
            compression = None if array.size <= 1 or self.compression is None else self.compression
            self.group.create_dataset(name, data=array, compression=compression)
        return value


class _GroupSource:
    """A ``Source`` over every dataset below an h5py group."""

    def __init__(self, group: HDF5Group, where: str) -> None:
        self._group = group
        self._where = where
        self._h5 = _h5py(where)
        datasets: dict[str, h5py.Dataset] = {}

        def visit(name: str, obj: object) -> None:
            if isinstance(obj, self._h5.Dataset):
                datasets[name] = obj

        try:
            group.visititems(visit)
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            raise SerializationError(f"{where}: the file's group tree is unreadable (corrupt?): {exc}") from exc
        self._datasets = datasets  # found once: a lookup by name costs as much as a read
        self._order = list(datasets)

    def keys(self) -> Iterator[str]:
        return iter(self._order)

    def __contains__(self, key: str) -> bool:
        return key in self._datasets

    def declare(self, key: str) -> Declared | None:
        """The dataset's shape and dtype from its metadata, without reading it.

        A dataset may declare far more data than the file stores (HDF5 fills what
        was never written); one whose declared size exceeds what its stored bytes
        can expand to under its filters (all of them when there are none, 1032
        times them under deflate) gets a ``problem``, unless a filter of unknown
        ratio is involved.  Chainer writes every dataset in full, so none of its
        files is affected.
        """
        try:
            dataset = self._datasets[key]
            shape = dataset.shape
            if shape is None:
                return None
            info = self._h5.check_string_dtype(dataset.dtype)
            if info is not None:
                return Declared(tuple(shape), numpy.dtype(numpy.str_))
            declared = Declared(tuple(shape), numpy.dtype(dataset.dtype))
            if declared.nbytes <= _SLACK:
                return declared  # small enough whatever is stored
            stored = int(dataset.id.get_storage_size())
            plist = dataset.id.get_create_plist()
            filters = {plist.get_filter(i)[0] for i in range(plist.get_nfilters())}
        except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
            raise SerializationError(f"{self._where}: {key!r} is unreadable: {exc}") from exc
        if not filters <= {_DEFLATE, _SHUFFLE, _FLETCHER32}:
            return declared  # a ratio this check does not know
        limit = stored * _MAX_DEFLATE_RATIO + _SLACK if _DEFLATE in filters else stored + _SLACK
        if declared.nbytes <= limit:
            return declared
        return Declared(declared.shape, declared.dtype,
                        f"the file declares a {declared.dtype} array of shape {declared.shape} "
                        f"({declared.nbytes} bytes) but stores {stored} bytes for it, which cannot hold "
                        "that much; the file is corrupt or crafted")

    def read(self, key: str) -> Array | None:
        try:
            dataset = self._datasets[key]
            if dataset.shape is None:
                return None
            info = self._h5.check_string_dtype(dataset.dtype)
            if info is not None and info.length is None:
                return numpy.asarray(dataset.asstr()[()], dtype=str)
            array = numpy.asarray(dataset[()])
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise SerializationError(f"{self._where}: {key!r} is unreadable: {exc}") from exc
        if array.dtype.hasobject:
            raise SerializationError(f"{self._where}: {key!r} holds objects fchain cannot load")
        return array


class HDF5Deserializer(FlatDeserializer):
    """Reads Chainer's HDF5 layout from an h5py group into an object's ``serialize``.

    ``HDF5Deserializer(group, strict=True)`` as in Chainer, plus fchain's
    ``path=''``, ``ignore_names=None`` and ``unexpected_keys='warn'`` (see
    ``NpzDeserializer``).  ``load(obj)``
    checks everything first and changes nothing unless it all fits.
    """

    group: HDF5Group
    strict: bool

    def __init__(self, group: HDF5Group, strict: bool = True, *, path: str = "",
                 ignore_names: IgnoreNames | None = None, unexpected_keys: UnexpectedKeys = "warn") -> None:
        self._setup(group, strict, path, ignore_names, unexpected_keys, _describe(group))

    def _setup(self, group: HDF5Group, strict: bool, path: str, ignore_names: IgnoreNames | None,
               unexpected_keys: UnexpectedKeys, where: str) -> None:
        self.group = group
        self.strict = strict
        self._init_flat(_GroupSource(group, where), where, path, strict, ignore_names, unexpected_keys)


def _describe(group: HDF5Group) -> str:
    """``HDF5Deserializer('model.h5')``, plus the group when it is not the root, so
    every message names the file."""
    # ``file`` is read with getattr: the local h5py stubs stay minimal, and a
    # group-like object without one is still described.
    filename = getattr(getattr(group, "file", None), "filename", "<unknown file>")
    if group.name in ("/", None):
        return f"HDF5Deserializer({filename!r})"
    return f"HDF5Deserializer({filename!r}, group {group.name!r})"


def save_hdf5(filename: PathLike, obj: Savable, compression: int | None = 4) -> None:
    """Save ``obj`` (anything with ``serialize``, or a ``{key: array}`` dict) to the
    HDF5 file ``filename``, atomically (a temporary file, flushed and renamed)."""
    h5 = _h5py("save_hdf5")

    def write(tmp: str) -> None:
        with h5.File(tmp, "w") as f:
            f.attrs[VERSION_KEY] = FORMAT_VERSION
            serializer = HDF5Serializer(f, compression=compression)
            if isinstance(obj, Mapping):
                for key in sorted(obj):
                    serializer(str(key), obj[key])
            else:
                serializer.save(obj)

    atomic_write(filename, write)


def load_hdf5(filename: PathLike, obj: Serializable, *, path: str = "", strict: bool = True,
              ignore_names: IgnoreNames | None = None, unexpected_keys: UnexpectedKeys = "warn") -> None:
    """Load an HDF5 file written by fchain or Chainer into ``obj``; arguments as for
    ``load_npz``.  A failed load raises one ``SerializationError`` listing every
    problem and leaves ``obj`` unchanged; a path that is no file raises
    ``FileNotFoundError`` (missing) or ``SerializationError`` (a folder, or not an
    HDF5 file)."""
    h5 = _h5py("load_hdf5")
    name = os.fspath(filename)
    if os.path.isdir(name):
        raise SerializationError(f"load_hdf5: {name!r} is a folder, not an HDF5 file")
    try:
        f = h5.File(name, "r")
    except OSError as exc:
        if not os.path.exists(name):
            raise FileNotFoundError(f"load_hdf5: no such file: {name!r}") from exc
        raise SerializationError(
            f"load_hdf5: {name!r} is not a readable HDF5 file; it may be truncated or corrupt: {exc}"
        ) from exc
    with f:
        if VERSION_KEY in f.attrs:
            check_format_version(f"load_hdf5({name!r})", f.attrs[VERSION_KEY])
        deserializer = HDF5Deserializer.__new__(HDF5Deserializer)
        deserializer._setup(f, strict, path, ignore_names, unexpected_keys, f"load_hdf5({name!r})")
        deserializer.load(obj)

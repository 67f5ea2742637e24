"""The checked two-pass load that the npz and HDF5 deserializers share.

**Loading** (``Deserializer.load``) runs the target's ``serialize`` twice:

1. A *dry run* reads the file and checks every requested key (present, readable,
   shape, castable dtype; shape and dtype as the file declares them first, before
   any data is read, so a crafted header cannot make the load allocate more than
   the target holds) but writes nothing: each call returns the value it was
   given, as Chainer's non-strict loader does for a missing key, which every
   ``serialize`` already has to tolerate.  A missing key raises ``KeyError`` into
   the target, as in Chainer, so a target that catches it (an optimizer's disabled
   update rule) tolerates that key; an uncaught one is recorded and the dry run is
   repeated so that every problem is found.  File keys below the loaded path that
   were never requested are *unexpected*, except siblings of a key the target asked
   for with ``None`` while the file has data: given that data in the real pass, the
   target may go on to ask for them (a fresh optimizer rule asks for its first
   state array, and for the rest only once that one exists).
2. Only when the dry run found nothing wrong does the real pass copy the values in.

**Unexpected keys** are ignored, as Chainer ignores them, so a trainer snapshot
loads into a trainer with fewer extensions and a pre-trained model into a smaller
one (fine-tuning).  ``unexpected_keys`` says what else happens: ``'warn'`` (the
default) warns once, naming them, with a ``SerializationWarning``; ``'ignore'`` is
silent, as Chainer; ``'error'`` makes them problems of the load (PyTorch's strict
loading).  ``strict`` keeps Chainer's meaning: a requested key that is missing.

So a failed load reports all its problems in one ``SerializationError`` and leaves
the target as it was.  The data read in the dry run is kept for the real pass, so a
corrupt or truncated member is found before anything is written.

Keys and the file-format constants are in ``fchain.serializers._common``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, get_args, overload

import numpy

from fchain.errors import SerializationError, SerializationWarning
from fchain.facade.serializer import Deserializer, Serializable
from fchain.serializers._common import (
    IgnoreName,
    IgnoreNames,
    LoadError,
    MissingKeyError,
    UnexpectedKeys,
    child_path,
    is_reserved,
    join_path,
    normalize_root,
)
from fchain.serializers._values import Declared, convert_scalar, declared_problem, is_array, stored_problem
from fchain.types import Array

__all__ = ["FlatDeserializer", "Source"]

_V = TypeVar("_V")

class _ProbeMissing(MissingKeyError):
    """Raised into the target during a dry run to see whether it tolerates a key."""

    def __init__(self, message: str, key: str, session: _Session) -> None:
        super().__init__(message, (f"missing key {key!r}",))
        self.key = key
        self.session = session


def _ignore_predicates(where: str, ignore_names: IgnoreNames | None) -> tuple[Callable[[str], bool], ...]:
    if ignore_names is None:
        return ()
    items: Sequence[IgnoreName] = (
        [ignore_names] if isinstance(ignore_names, str) or callable(ignore_names) else ignore_names
    )
    predicates: list[Callable[[str], bool]] = []
    for item in items:
        if isinstance(item, str):
            predicates.append(item.__eq__)
        elif callable(item):
            predicates.append(item)
        else:
            raise TypeError(
                f"{where}: ignore_names must be a string, a callable or a list of them, "
                f"got an item of type {type(item).__name__}"
            )
    return tuple(predicates)


class Source(Protocol):
    """A flat view of a file: full keys and their values (``None`` for a stored None)."""

    def keys(self) -> Iterable[str]: ...

    def __contains__(self, key: str, /) -> bool: ...

    def read(self, key: str) -> Array | None:
        """The stored value; a ``SerializationError`` when it cannot be read."""
        ...

    def declare(self, key: str) -> Declared | None:
        """Shape and dtype as the file declares them, read without the data; ``None``
        for a stored None, or where the format has nothing to check before reading.
        A ``SerializationError`` when even that cannot be read."""
        ...


def _group_of(key: str) -> str:
    """The group path of ``key`` (``'a/b/'`` for ``'a/b/c'``, ``''`` at the root)."""
    head, sep, _ = key.rpartition("/")
    return head + sep


# ---------------------------------------------------------------------------
# the deserializer


class _Session:
    """State shared by a deserializer and its children during one pass."""

    def __init__(self, source: Source, where: str, strict: bool,
                 ignore: tuple[Callable[[str], bool], ...], dry: bool,
                 cache: dict[str, Array | None], unexpected: UnexpectedKeys = "warn") -> None:
        self.source = source
        self.where = where
        self.strict = strict
        self.ignore = ignore
        self.unexpected: UnexpectedKeys = unexpected
        self.dry = dry
        self.cache = cache
        self.requested: set[str] = set()
        self.speculative: set[str] = set()  # groups whose other keys the target may skip
        self.speculative_trees: set[str] = set()  # groups whose whole subtree it may skip
        self.problems: dict[str, str] = {}  # key -> problem, in the order found
        self.missing: dict[str, None] = {}
        self.known_missing: set[str] = set()
        self.probe_missing = True

    def ignored(self, key: str) -> bool:
        return any(predicate(key) for predicate in self.ignore)

    def like(self, *, dry: bool, cache: dict[str, Array | None]) -> _Session:
        """A fresh session for another pass over the same file, with the same options."""
        return _Session(self.source, self.where, self.strict, self.ignore, dry, cache, self.unexpected)

    def fetch(self, key: str) -> Array | None:
        if key in self.cache:
            return self.cache.pop(key) if not self.dry else self.cache[key]
        value = self.source.read(key)
        if self.dry:
            self.cache[key] = value
        return value

    def declared_problem(self, key: str, value: object) -> str | None:
        """What the file declares for ``key`` against ``value``, before its data is
        read (the data of a key read already was checked when it was read)."""
        if key in self.cache:
            return None
        declared = self.source.declare(key)
        return None if declared is None else declared_problem(key, declared, value)


def _check_unexpected_keys(where: str, mode: object) -> UnexpectedKeys:
    choices = get_args(UnexpectedKeys)
    if mode not in choices:
        raise ValueError(f"{where}: unexpected_keys must be one of {', '.join(map(repr, choices))}, "
                         f"got {mode!r}")
    return mode  # type: ignore[return-value]  # one of the Literal's values, checked just above


def _outside_fchain() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside fchain."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back
        level += 1
    return level


def _listing(keys: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


class FlatDeserializer(Deserializer):
    """Chainer's deserializer over a ``Source``; the npz and HDF5 deserializers."""

    _session: _Session
    _path: str

    def _init_flat(self, source: Source, where: str, path: str, strict: bool,
                   ignore_names: IgnoreNames | None, unexpected_keys: UnexpectedKeys = "warn") -> None:
        ignore = _ignore_predicates(where, ignore_names)
        mode = _check_unexpected_keys(where, unexpected_keys)
        self._session = _Session(source, where, strict, ignore, dry=False, cache={}, unexpected=mode)
        self._path = normalize_root(path)

    def _with(self, session: _Session, path: str) -> FlatDeserializer:
        child = object.__new__(type(self))
        child.__dict__.update(self.__dict__)
        child._session = session
        child._path = path
        return child

    def __getitem__(self, key: str) -> FlatDeserializer:
        return self._with(self._session, child_path(self._path, key))

    @overload
    def __call__(self, key: str, value: None) -> object: ...
    @overload
    def __call__(self, key: str, value: _V) -> _V: ...

    def __call__(self, key: str, value: object) -> object:
        s = self._session
        full = join_path(self._path, key)
        if s.dry:
            s.requested.add(full)
        if s.ignored(full):
            return value
        if full not in s.source:
            if not s.strict:
                return value
            if s.dry and (full in s.known_missing or not s.probe_missing):
                s.missing[full] = None
                return value
            message = f"{s.where}: {full!r} is not in the file"
            if s.dry:
                raise _ProbeMissing(message, full, s)
            raise MissingKeyError(message, (f"missing key {full!r}",))
        try:
            problem = s.declared_problem(full, value)
            if problem is not None:
                raise LoadError(f"{s.where}: {problem}", (problem,))
            stored = s.fetch(full)
        except MemoryError:
            problem = f"{full!r}: not enough memory to read it (the file declares it as {self._declared(full)})"
            if not s.dry:
                raise LoadError(f"{s.where}: {problem}", (problem,)) from None
            s.problems.setdefault(full, problem)
            return value
        except SerializationError as exc:
            if not s.dry:
                raise
            s.problems.setdefault(full, exc.problems[0] if isinstance(exc, LoadError) and exc.problems
                                  else str(exc))
            return value
        if s.dry:
            return self._check(full, stored, value)
        return self._apply(full, stored, value)

    def _declared(self, key: str) -> str:
        try:
            declared = self._session.source.declare(key)
        except SerializationError:
            declared = None
        if declared is None:
            return "a value of unknown size"
        return f"a {declared.dtype} array of shape {declared.shape}, {declared.nbytes} bytes"

    def _check(self, key: str, stored: Array | None, value: Any) -> Any:
        s = self._session
        if stored is None or value is None:
            if stored is not None:
                # The real pass hands this data to the target, which may then ask
                # for keys the dry run never sees (an optimizer's state).
                s.speculative.add(_group_of(key))
                if stored.dtype.kind in "US":
                    # A text the target reads may name the keys it then asks for
                    # (DictSummary's JSON list of names): accept the group's subtree.
                    s.speculative_trees.add(_group_of(key))
            return value
        problem = stored_problem(key, stored, value)
        if problem is not None:
            s.problems.setdefault(key, problem)
        return value

    def _apply(self, key: str, stored: Array | None, value: Any) -> Any:
        s = self._session
        if stored is None:
            return None
        if value is None:
            return numpy.array(stored, copy=True)
        problem = stored_problem(key, stored, value)
        if problem is not None:
            raise LoadError(f"{s.where}: {problem}", (problem,))
        if not is_array(value):
            return convert_scalar(stored, value)
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, stored, casting="same_kind")
        else:
            value.set(numpy.ascontiguousarray(stored, dtype=value.dtype))
        return value

    def load(self, obj: Serializable) -> None:
        """Load into ``obj``: check everything first, then change ``obj`` (see the
        module docstring); all problems are raised together in one ``LoadError``.
        Keys the target never asked for are then warned about, ignored or refused,
        as ``unexpected_keys`` says."""
        base = self._session
        cache: dict[str, Array | None] = {}
        known: set[str] = set()
        while True:
            dry = base.like(dry=True, cache=cache)
            dry.known_missing = known
            dry.probe_missing = len(known) < 32  # beyond that, record the rest in one run
            try:
                obj.serialize(self._with(dry, self._path))
            except _ProbeMissing as exc:
                if exc.session is not dry or exc.key in known:
                    raise
                known.add(exc.key)
                continue
            break
        problems = [f"missing key {k!r}" for k in dry.missing]
        problems += list(dry.problems.values())
        unexpected = self._unexpected(dry) if base.unexpected != "ignore" else []
        if base.unexpected == "error":
            problems += [f"unexpected key {k!r} (the target never asked for it; unexpected_keys='error')"
                         for k in unexpected]
        if problems:
            cls = MissingKeyError if dry.missing else LoadError
            listing = "\n".join(f"  - {p}" for p in problems)
            raise cls(
                f"{base.where}: cannot load into {type(obj).__name__}: {len(problems)} "
                f"problem{'s' if len(problems) != 1 else ''}, nothing was changed:\n{listing}",
                problems,
            )
        real = base.like(dry=False, cache=cache)
        obj.serialize(self._with(real, self._path))
        if unexpected and base.unexpected == "warn":
            warnings.warn(SerializationWarning(
                f"{base.where}: loaded {type(obj).__name__} but ignored {len(unexpected)} "
                f"key{'s' if len(unexpected) != 1 else ''} of the file it never asked for, as Chainer "
                f"does: {_listing(unexpected)}; pass unexpected_keys='error' to refuse them or "
                "'ignore' to silence this"), stacklevel=_outside_fchain())

    def _unexpected(self, dry: _Session) -> list[str]:
        root = self._path
        extra = []
        for key in dry.source.keys():
            if not key.startswith(root) or key in dry.requested or is_reserved(key) or dry.ignored(key):
                continue
            if _group_of(key) in dry.speculative:
                continue  # a sibling the target may ask for only once it has real data
            if any(key.startswith(group) for group in dry.speculative_trees):
                continue  # below a group whose layout a stored text decides
            extra.append(key)
        return sorted(extra)

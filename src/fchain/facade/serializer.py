"""Chainer's serializer protocol: the interface every ``serialize`` method talks to.

An object with state implements ``serialize(serializer)``; inside, it calls
``serializer(key, value)`` for each array or scalar and ``serializer[name]`` for a
child's sub-serializer.  A ``Serializer`` stores what it is given and returns it; a
``Deserializer`` returns the stored value (copying arrays into ``value`` in place
when ``value`` is an array, as Chainer does).  Concrete formats live in
``fchain.serializers``.

A ``serialize`` method must tolerate a deserializer that hands back the value it was
given (Chainer's non-strict load of a missing key does this): ``load`` in
``fchain.serializers`` first runs ``serialize`` that way, as a dry run that checks
the whole file, and changes the object only in a second pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeAlias, TypeVar, overload

__all__ = ["AbstractSerializer", "Deserializer", "Savable", "Serializable", "Serializer"]

V = TypeVar("V")
"""The type of the value a serializer is called with, and returns."""


class AbstractSerializer:
    """Base of serializers and deserializers (Chainer's ``AbstractSerializer``)."""

    def __getitem__(self, key: str) -> AbstractSerializer:
        """The child serializer for ``key`` (a sub-group of the file)."""
        raise NotImplementedError

    @overload
    def __call__(self, key: str, value: None) -> object: ...
    @overload
    def __call__(self, key: str, value: V) -> V: ...

    def __call__(self, key: str, value: object) -> object:
        """Save ``value`` under ``key``, or load it (see the subclasses).

        Typed as Chainer's protocol is used: the result has the type of ``value``
        (a saved value is returned as it is; a loaded one is of the same kind,
        an array filled in place).  ``value=None`` asks a deserializer for the
        stored value as it is, so that result is only an ``object``.
        """
        raise NotImplementedError


class Serializer(AbstractSerializer):
    """Writes: ``serializer(key, value)`` records ``value`` and returns it."""

    def save(self, obj: Serializable) -> None:
        """Serialize ``obj`` (calls ``obj.serialize(self)``)."""
        obj.serialize(self)


class Deserializer(AbstractSerializer):
    """Reads: ``deserializer(key, value)`` returns the stored value; when ``value`` is
    an array it is filled in place and returned.  ``value=None`` returns the stored
    value as it is."""

    def load(self, obj: Serializable) -> None:
        """Deserialize into ``obj`` (calls ``obj.serialize(self)``)."""
        obj.serialize(self)


class Serializable(Protocol):
    """Anything with Chainer's ``serialize(serializer)`` method."""

    def serialize(self, serializer: AbstractSerializer) -> None: ...


Savable: TypeAlias = Serializable | Mapping[str, object]
"""What ``save_npz``/``save_hdf5`` and snapshots save: an object with ``serialize``,
or a ``{key: array or scalar}`` mapping (each value is checked when it is saved)."""

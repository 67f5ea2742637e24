"""``Hyperparameter``: named values that fall back to a parent's, with a version.

An update rule's hyperparameter has the optimizer's as its parent, so
``optimizer.lr = 0.1`` reaches every rule while ``rule.hyperparam.lr = 0.5``
overrides one.  A rule turns the entries it uses into plain numbers once and keeps
them until they change; it learns of a change from the hyperparameter's
**version**, which counts the changes to the object's own entries and to those of
every ancestor: a change is pushed down to the children (held weakly), so reading
the version is one attribute read, and a change to one optimizer's hyperparameters
leaves every other optimizer's rules alone.

``HyperparameterProxy`` makes ``optimizer.lr`` an alias of
``optimizer.hyperparam.lr``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast, overload

__all__ = ["Hyperparameter", "HyperparameterProxy", "Version"]

_BOOKKEEPING = frozenset({"_parent", "_version", "_children"})

if TYPE_CHECKING:
    # An unparametrized ``HyperparameterProxy('lr')`` (Chainer's spelling) aliases an
    # entry of unknown type, as dynamic as the Hyperparameter entry itself.
    from typing_extensions import TypeVar as _TypeVarWithDefault

    _V = _TypeVarWithDefault("_V", default=Any)
else:
    _V = TypeVar("_V")


class Version:
    """The count of changes to a hyperparameter and its ancestors (``value``).

    An update rule keeps its hyperparameter's ``Version`` and reads ``value`` at
    every step: an attribute of this one-slot object is read faster than one of a
    ``Hyperparameter``, whose ``__getattr__`` keeps CPython from specializing the
    read."""

    __slots__ = ("value",)

    value: int

    def __init__(self) -> None:
        self.value = 0


class Hyperparameter:
    """A set of hyperparameter entries that falls back to a parent's.

    Entries are plain attributes (``hp.lr = 0.01``).  Reading an entry this object
    does not have returns the parent's, so an update rule's hyperparameter (whose
    parent is the optimizer's) follows every change made on the optimizer until the
    rule overrides the entry itself; ``del hp.lr`` removes the override.

    Typed subclasses (``fchain.optimizers.AdamHyperparameter``...) declare their
    entries so that ``optimizer.hyperparam.alpha`` is a ``float`` for mypy; entries
    nobody declared are dynamic, as in Chainer.
    """

    # The entries are the instance __dict__; the bookkeeping lives in slots.
    __slots__ = ("_parent", "_version", "_children", "__dict__", "__weakref__")

    _parent: Hyperparameter | None
    _version: Version
    _children: weakref.WeakSet[Hyperparameter] | None

    def __init__(self, parent: Hyperparameter | None = None) -> None:
        object.__setattr__(self, "_parent", parent)
        object.__setattr__(self, "_version", Version())
        object.__setattr__(self, "_children", None)
        if parent is not None:
            children = parent._children
            if children is None:
                children = weakref.WeakSet()
                object.__setattr__(parent, "_children", children)
            children.add(self)

    def __getattr__(self, name: str) -> Any:  # Any: an entry of the type its optimizer declares
        # Only reached when normal lookup fails, i.e. for entries this object lacks.
        if name.startswith("__") or name in _BOOKKEEPING:
            raise AttributeError(name)
        parent = self._parent
        if parent is None:
            raise AttributeError(f"hyperparameter {name!r} is not set")
        return getattr(parent, name)

    def __setattr__(self, name: str, value: object) -> None:
        if name in _BOOKKEEPING:
            raise AttributeError(f"Hyperparameter: {name!r} is not an entry")
        object.__setattr__(self, name, value)
        self._changed()

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        self._changed()

    def _changed(self) -> None:
        """Count a change of this object's entries in its version and in every
        descendant's."""
        self._version.value += 1
        children = self._children
        if children:
            for child in children:
                child._changed()

    @property
    def parent(self) -> Hyperparameter | None:
        """The hyperparameter this one falls back to."""
        return self._parent

    def own_items(self) -> list[tuple[str, object]]:
        """The entries set on this object itself (not inherited), in setting order."""
        return list(self.__dict__.items())

    def get_dict(self) -> dict[str, object]:
        """Every entry this hyperparameter can read, its own overriding its parent's."""
        parent = self._parent
        d = {} if parent is None else parent.get_dict()
        d.update(self.__dict__)
        return d

    def __repr__(self) -> str:
        d = self.get_dict()
        return "Hyperparameter(%s)" % ", ".join(f"{k}={d[k]}" for k in sorted(d))

    # Copies and pickles hold the parent, the entries and the version (which the
    # rules share); the children register themselves again when they are rebuilt.
    def __getstate__(self) -> tuple[Hyperparameter | None, dict[str, object], Version]:
        return self._parent, dict(self.__dict__), self._version

    def __setstate__(self, state: tuple[Hyperparameter | None, dict[str, object], Version]) -> None:
        parent, entries, version = state
        Hyperparameter.__init__(self, parent)
        object.__setattr__(self, "_version", version)
        self.__dict__.update(entries)


class _HasHyperparam(Protocol):
    @property
    def hyperparam(self) -> Hyperparameter: ...


class HyperparameterProxy(Generic[_V]):
    """A class attribute of an optimizer that aliases one hyperparameter entry:
    ``lr = HyperparameterProxy[float]('lr')`` makes ``optimizer.lr`` read and write
    ``optimizer.hyperparam.lr``."""

    def __init__(self, attr_name: str) -> None:
        self._attr_name = attr_name
        self.__doc__ = f"Alias to ``self.hyperparam.{attr_name}``"

    @overload
    def __get__(self, obj: None, owner: type[object] | None = None) -> HyperparameterProxy[_V]: ...
    @overload
    def __get__(self, obj: _HasHyperparam, owner: type[object] | None = None) -> _V: ...

    def __get__(self, obj: _HasHyperparam | None,
                owner: type[object] | None = None) -> HyperparameterProxy[_V] | _V:
        if obj is None:
            return self
        return cast(_V, getattr(obj.hyperparam, self._attr_name))

    def __set__(self, obj: _HasHyperparam, value: _V) -> None:
        setattr(obj.hyperparam, self._attr_name, value)

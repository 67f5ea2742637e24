"""``LinkTree``: what makes a link a node of a tree, and the version of its structure.

A link holds parameters and persistent values by name and, in a ``Chain`` or
``ChainList``, child links.  This base class keeps those names, walks the
parameters of the whole tree (``params``, ``namedparams``) and owns the tree's
**structure version**:

* every link counts the changes to its own structure: a parameter or child link
  registered, replaced or removed (``_structure_changed``);
* every link knows the links that hold it as a child, through weak references
  (``_adopt``/``_release``; a link may sit in several trees), and reports each of its
  changes to them, so a link's version changes whenever anything anywhere below it
  changes.

A cache of the tree's parameters is therefore valid while the version it was built
at is current: ``_param_list`` (which optimizers and ``cleargrads`` use) keeps one.
Copies (``copy``, ``copy.deepcopy``) rebuild the parent references of their own
children (``__setstate__``) and never keep the original's.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Self, TypeVar

from fchain.graph.parameter import Parameter

__all__ = ["LinkTree", "child_of", "param_of"]

_NOT_COPIED = ("_parents", "_param_list_cache")
"""Attributes that belong to one object's place in a tree: copies start without them."""


class LinkTree:
    """The names and the structure version of a link (see the module docstring)."""

    name: str | None
    _params: dict[str, None]
    _persistent: dict[str, None]
    _structure_version: int
    _parents: list[weakref.ref[LinkTree]]

    def __init__(self) -> None:
        d = self.__dict__
        d["_params"] = {}
        d["_persistent"] = {}
        d["name"] = None
        d["_structure_version"] = 0
        d["_parents"] = []

    # ---------------------------------------------------------- structure
    def _child_items(self) -> Iterator[tuple[str, LinkTree]]:
        """``(name, child)`` pairs in traversal order (none for a plain link)."""
        return iter(())

    def _own_params(self) -> Iterator[tuple[str, Parameter]]:
        d = self.__dict__
        for name in sorted(self._params):
            yield name, d[name]

    def _subtree(self) -> Iterator[LinkTree]:
        """This link and every link below it, depth first."""
        yield self
        for _, child in self._child_items():
            yield from child._subtree()

    def _structure_changed(self) -> None:
        """Record a change to this link's parameters or children, here and in every
        link that holds this one."""
        d = self.__dict__
        d["_structure_version"] += 1
        parents = d["_parents"]
        for ref in tuple(parents):
            parent = ref()
            if parent is None:
                parents.remove(ref)
            else:
                parent._structure_changed()

    def _adopt(self, child: LinkTree) -> None:
        """Make this link a parent of ``child``: changes below ``child`` now reach it."""
        refs = child.__dict__["_parents"]
        if not any(ref() is self for ref in refs):
            refs.append(weakref.ref(self))

    def _release(self, child: LinkTree) -> None:
        """Stop being a parent of ``child``, unless this link still holds it (under
        another name or index)."""
        if any(held is child for _, held in self._child_items()):
            return
        refs = child.__dict__["_parents"]
        refs[:] = [ref for ref in refs if ref() is not self and ref() is not None]

    def _children_changed(self, removed: Iterable[object], added: Iterable[object]) -> None:
        """After children were registered (``added``) or dropped (``removed``; any
        object, only links matter): fix the parent references, then record the change."""
        for child in added:
            if isinstance(child, LinkTree):
                self._adopt(child)
        for child in removed:
            if isinstance(child, LinkTree):
                self._release(child)
        self._structure_changed()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for key in _NOT_COPIED:
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        d = self.__dict__
        d.update(state)
        d["_parents"] = []
        for _, child in self._child_items():
            self._adopt(child)

    def _detached_copy(self) -> Self:
        """A new object of this class sharing this one's attributes (dicts and
        children included: the caller replaces what must not be shared), in no tree,
        and not yet the parent of any child."""
        ret = type(self).__new__(type(self))
        d = ret.__dict__
        d.update(self.__getstate__())
        d["_parents"] = []
        d["_structure_version"] = 0
        return ret

    # ---------------------------------------------------------- parameters
    def params(self, include_uninit: bool = True) -> Iterator[Parameter]:
        """Every parameter of this link and its descendants, in ``namedparams`` order."""
        for _, param in self.namedparams(include_uninit):
            yield param

    def namedparams(self, include_uninit: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` pairs: own parameters (``/W``) sorted by name, then
        each child's under its name (``/l1/W``)."""
        for name, param in self._own_params():
            if include_uninit or param.is_initialized:
                yield "/" + name, param
        for cname, child in self._child_items():
            prefix = "/" + cname
            for path, param in child.namedparams(include_uninit):
                yield prefix + path, param

    def _param_list(self) -> list[Parameter]:
        """``list(self.params())``, kept while the structure version is unchanged
        (optimizers read it on every update; do not modify it)."""
        d = self.__dict__
        cached = d.get("_param_list_cache")
        version = d["_structure_version"]
        if cached is not None and cached[0] == version:
            params: list[Parameter] = cached[1]
            return params
        params = list(self.params())
        d["_param_list_cache"] = (version, params)
        return params

    def count_params(self) -> int:
        """The number of scalars in all initialized parameters (warns for each
        uninitialized one)."""
        size = 0
        for path, param in self.namedparams():
            if not param.is_initialized:
                warnings.warn(
                    f"Parameter '{path}' has not been initialized, so the resulting count will "
                    "not include the number of parameters in it.", stacklevel=2)
                continue
            size += param.size
        return size


def param_of(link: LinkTree, name: str, where: str) -> Parameter:
    """``link``'s parameter ``name``, for methods that pair two links' parameters."""
    value = link.__dict__.get(name)
    if not isinstance(value, Parameter):
        raise AttributeError(f"{where}: the source link has no parameter {name!r}")
    return value


_Child = TypeVar("_Child")


def child_of(children: Mapping[str, _Child], name: str, where: str) -> _Child:
    """The child ``name`` among ``children`` (``dict(link._child_items())`` of the
    source link), for methods that pair two links' children."""
    if name not in children:
        raise AttributeError(f"{where}: the source link has no child link {name!r}")
    return children[name]

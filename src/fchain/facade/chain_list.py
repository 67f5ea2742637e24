"""``ChainList``: a link holding a list of child links, named by their index.

It is a mutable sequence (``append``/``add_link``, ``insert``, ``chain[i] = link``,
``del chain[i]``); every change renumbers the children and is recorded in the
structure version, which reaches the links above (``fchain.facade.link_tree``).

``ChainList`` is generic in its links' type: ``ChainList[L.Linear]`` makes
``chain[0]`` a ``Linear``; a bare ``ChainList`` holds ``Link``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence
from typing import TYPE_CHECKING, Generic, Self, TypeVar, overload

from fchain.facade.link_base import Link

__all__ = ["ChainList"]

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    _LinkT = _TypeVarWithDefault("_LinkT", bound=Link, default=Link)
else:
    _LinkT = TypeVar("_LinkT", bound=Link)


class ChainList(Link, MutableSequence[_LinkT], Generic[_LinkT]):
    """A link holding a list of child links, named by index (``/0``, ``/1``, ...).

    ``ChainList(*links)`` registers the given links.  Registering links by attribute
    assignment inside ``init_scope()`` is an error (parameters may still be
    assigned there).
    """

    _children: list[_LinkT]

    def __init__(self, *links: _LinkT) -> None:
        super().__init__()
        self.__dict__["_children"] = []
        for link in links:
            self.add_link(link)

    def __setattr__(self, name: str, value: object) -> None:
        if self.within_init_scope and isinstance(value, Link):
            raise TypeError(
                "ChainList: cannot register a new link within a 'with chainlist.init_scope():' "
                "block; use add_link or append")
        super().__setattr__(name, value)

    def _check(self, link: object) -> None:
        if not isinstance(link, Link):
            raise TypeError(f"ChainList: only Links can be registered, got {type(link).__name__}")
        if self._device.name != "@numpy":
            link.to_device(self._device)

    def _renumber(self, removed: Iterable[Link], added: Iterable[Link]) -> None:
        for i, link in enumerate(self._children):
            link.name = str(i)
        self._children_changed(removed, added)

    def add_link(self, link: _LinkT) -> None:
        """Append ``link`` as the next child."""
        self._check(link)
        link.name = str(len(self._children))
        self._children.append(link)
        self._children_changed((), (link,))

    def append(self, value: _LinkT) -> None:
        """Append ``value`` as the next child (same as ``add_link``)."""
        self.add_link(value)

    def insert(self, index: int, value: _LinkT) -> None:
        """Insert ``value`` before ``index``; later children are renumbered."""
        self._check(value)
        self._children.insert(index, value)
        self._renumber((), (value,))

    @overload
    def __getitem__(self, index: int) -> _LinkT: ...
    @overload
    def __getitem__(self, index: slice) -> list[_LinkT]: ...

    def __getitem__(self, index: int | slice) -> _LinkT | list[_LinkT]:
        return self._children[index]

    @overload
    def __setitem__(self, index: int, value: _LinkT) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[_LinkT]) -> None: ...

    def __setitem__(self, index: int | slice, value: _LinkT | Iterable[_LinkT]) -> None:
        if isinstance(index, slice):
            links = list(value)  # type: ignore[arg-type]  # the slice overload passes an iterable
            for link in links:
                self._check(link)
            removed = self._children[index]
            self._children[index] = links
        else:
            self._check(value)
            removed = [self._children[index]]
            self._children[index] = value  # type: ignore[assignment]  # the int overload passes a link
            links = [value]  # type: ignore[list-item]  # as above
        self._renumber(removed, links)

    def __delitem__(self, index: int | slice) -> None:
        removed = self._children[index] if isinstance(index, slice) else [self._children[index]]
        del self._children[index]
        self._renumber(removed, ())

    def __len__(self) -> int:
        return len(self._children)

    def __iter__(self) -> Iterator[_LinkT]:
        return iter(self._children)

    def _child_items(self) -> Iterator[tuple[str, Link]]:
        for i, link in enumerate(self._children):
            yield str(i), link

    def _copy_share(self) -> Self:
        ret = super()._copy_share()
        children = [link.copy("share") for link in self._children]
        ret.__dict__["_children"] = children
        ret._renumber((), children)
        return ret

"""``Chain``: a link with named child links.

Inside ``with chain.init_scope():`` assigning a ``Link`` to an attribute registers it
as a child named after the attribute; assigning another object to that name, or
deleting it, removes the child.  Every such change is recorded in the chain's
structure version and reaches the links above it (``fchain.facade.link_tree``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Self

from fchain.facade.link_base import Link

__all__ = ["Chain"]


class Chain(Link):
    """A link with named child links, registered by assignment in ``init_scope()``.

    ``Chain(**links)`` (deprecated in Chainer) registers each keyword as a child.
    """

    _children: dict[str, None]

    def __init__(self, **links: Link) -> None:
        super().__init__()
        self.__dict__["_children"] = {}
        for name, link in links.items():
            self.add_link(name, link)

    def __getitem__(self, name: str) -> Link:
        """The child link ``name`` (``chain['l1']`` is ``chain.l1``)."""
        value = self.__dict__.get(name) if name in self._children else None
        if not isinstance(value, Link):
            raise KeyError(f"{type(self).__name__} has no child link {name!r}")
        return value

    def __setattr__(self, name: str, value: object) -> None:
        d = self.__dict__
        children: dict[str, None] | None = d.get("_children")
        if children is None or not (isinstance(value, Link) or name in children):
            super().__setattr__(name, value)
            return
        if not isinstance(value, Link):
            del children[name]  # a registered child replaced by something else
        elif d.get("_within_init_scope", False):
            if hasattr(self, name):  # also refuses to shadow methods such as params
                raise AttributeError(
                    f"{type(self).__name__}: cannot register a new link {name!r}: attribute exists")
            value.name = name
            device = d.get("_device")
            if device is not None and device.name != "@numpy":
                value.to_device(device)
            children[name] = None
        elif name not in children:
            super().__setattr__(name, value)  # a link kept outside init_scope is no child
            return
        old = d.get(name)
        super().__setattr__(name, value)
        self._children_changed((old,), (value,) if name in children else ())

    def __delattr__(self, name: str) -> None:
        children = self.__dict__["_children"]
        if name not in children:
            super().__delattr__(name)
            return
        old = self.__dict__[name]
        del children[name]
        super().__delattr__(name)
        self._children_changed((old,), ())

    def add_link(self, name: str, link: Link) -> None:
        """Register ``link`` as the child ``name`` (deprecated in Chainer: assign it
        inside ``init_scope()`` instead)."""
        warnings.warn(
            "Chain.add_link and Chain(**links) are deprecated; assign the link to an attribute "
            "inside 'with chain.init_scope():' instead", DeprecationWarning, stacklevel=2)
        if name in self.__dict__:
            raise AttributeError(f"Chain.add_link: cannot register a new link {name!r}: attribute exists")
        if not isinstance(link, Link):
            raise TypeError(f"Chain.add_link: cannot register a non-link object ({type(link).__name__}) as a child")
        with self.init_scope():
            setattr(self, name, link)

    def _child_items(self) -> Iterator[tuple[str, Link]]:
        d = self.__dict__
        for name in sorted(self._children):
            yield name, d[name]

    def _copy_share(self) -> Self:
        ret = super()._copy_share()
        d = ret.__dict__
        d["_children"] = dict(self._children)
        for name in ret._children:
            child = d[name].copy("share")
            child.name = name
            d[name] = child
            ret._adopt(child)
        return ret

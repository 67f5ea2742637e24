"""How ``link(...)`` is typed: as a call of the link's ``forward``.

``Link.__call__`` is an ordinary method at run time; for type checkers it is the
descriptor below, whose ``__get__`` gives, on an instance whose class defines
``forward``, that bound method (same parameters, same result), and on a plain
``Link`` a callable that takes anything and gives a ``Variable``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, overload

from fchain.facade.link_tree import LinkTree
from fchain.graph.variable import Variable

__all__ = ["ForwardCall"]

_F_co = TypeVar("_F_co", bound=Callable[..., Any], covariant=True)


class _HasForward(Protocol[_F_co]):
    @property
    def forward(self) -> _F_co: ...


class ForwardCall:
    """Static-only descriptor that types ``link(...)`` as ``link.forward(...)``."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> ForwardCall: ...
    @overload
    def __get__(self, obj: _HasForward[_F_co], owner: type[Any]) -> _F_co: ...
    @overload
    def __get__(self, obj: LinkTree, owner: type[Any]) -> Callable[..., Variable]: ...

    def __get__(self, obj: object, owner: type[Any]) -> object:  # pragma: no cover - static only
        raise NotImplementedError

"""How ``link(...)`` is typed: as a call of the link's ``forward``.

``Link.__call__`` is an ordinary method at run time.  For type checkers it is
declared as an attribute of type ``ForwardCall``, a protocol with two faces:

* a descriptor: ``__get__`` gives, on an instance whose class defines ``forward``,
  that bound method (same parameters, same result), and on a plain ``Link`` a
  callable that takes anything and gives a ``Variable``.  Both mypy and pyright
  apply it to calls, so ``model(x)`` is checked against ``forward``;
* a callable ``(...) -> Variable``: pyright does not apply a descriptor's
  ``__get__`` when it asks whether an object is assignable to a ``Callable``, it
  reads the declared type of ``__call__`` instead; this is that type, so a Link is
  a ``Callable[..., Variable]`` under pyright too (``Sequential(L.Linear(3, 2),
  F.relu)``, ``optimizer.update(model, x, t)``).

Being a protocol (not a class), ``ForwardCall`` is also what a subclass's own
``def __call__(self, x: Variable) -> Variable`` is checked against: a function
returning a ``Variable`` matches it under both checkers, one returning anything
else is reported.

One difference remains, pyright's alone: the assignability of a link whose
``forward`` returns something other than a ``Variable`` (a tuple, say) to
``Callable[..., Variable]`` is accepted by pyright, which reads ``(...) ->
Variable`` here, and rejected by mypy, which applies ``__get__``.  Calls are typed
the same by both.
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


class ForwardCall(Protocol):
    """The static type of ``Link.__call__`` (see the module docstring)."""

    @overload
    def __get__(self, obj: None, owner: type[object], /) -> ForwardCall: ...
    @overload
    def __get__(self, obj: _HasForward[_F_co], owner: type[object], /) -> _F_co: ...
    @overload
    def __get__(self, obj: LinkTree, owner: type[object], /) -> Callable[..., Variable]: ...

    # Any: ``(*Any, **Any)`` is the gradual signature ``...``, which any subclass's
    # own ``__call__`` may narrow (with ``object`` it could not).
    def __call__(self, *args: Any, **kwargs: Any) -> Variable:
        """A plain Link takes any arguments (its subclass's ``forward`` decides)."""
        ...

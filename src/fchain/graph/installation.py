"""Methods of ``Variable`` that a higher layer implements: declared here, installed there.

``Variable`` lives in ``fchain.graph`` and may not import the layers above it, yet
its operators are ``fchain.functions``' public functions and its ``backward`` is
``fchain.graph.backprop``'s.  A method declared with ``installed_by(layer)`` has its
typed signature and docstring here (what type checkers and ``help()`` read) and
raises until ``layer`` calls ``install_into``, which accepts only the names that
layer declared.  So each implementation lives in the layer that owns it, and a
layer can neither add methods nor replace another layer's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import NoReturn, TypeVar, cast

__all__ = ["declared_not_installed", "install_into", "installed_by"]

_Method = TypeVar("_Method", bound=Callable[..., object])


def installed_by(layer: str) -> Callable[[_Method], _Method]:
    """Declare a method that ``layer`` implements and installs (see the module
    docstring); until then calling it raises a ``RuntimeError`` naming the layer."""

    def declare(method: _Method) -> _Method:
        def not_installed(*args: object, **kwargs: object) -> NoReturn:
            raise RuntimeError(
                f"Variable.{method.__name__} is installed by {layer}, which has not been imported")

        functools.update_wrapper(not_installed, method)
        setattr(not_installed, "installed_by", layer)
        return cast(_Method, not_installed)

    return declare


def _declaration(cls: type, name: str) -> object:
    """What ``cls`` (or the first class of its MRO that has it) holds under ``name``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def install_into(cls: type, layer: str, methods: Mapping[str, Callable[..., object]]) -> None:
    """Set ``layer``'s implementations on ``cls``: each name must be a method of
    ``cls`` declared ``installed_by(layer)`` (or already installed from it)."""
    for name, implementation in methods.items():
        declared = _declaration(cls, name)
        owner = getattr(declared, "installed_by", None)
        if owner is None and getattr(declared, "installed_from", None) != layer:
            raise RuntimeError(f"install: {cls.__name__}.{name} is not declared as installed by {layer}")
        if owner is not None and owner != layer:
            raise RuntimeError(f"install: {cls.__name__}.{name} is installed by {owner}, not {layer}")
        setattr(implementation, "installed_from", layer)
        setattr(cls, name, implementation)


def declared_not_installed(cls: type, layer: str) -> list[str]:
    """The methods of ``cls`` that ``layer`` declared and has not installed yet."""
    names = {name for klass in cls.__mro__ for name in klass.__dict__}
    return sorted(name for name in names
                  if getattr(_declaration(cls, name), "installed_by", None) == layer)

"""``ConfigKey``: a configuration key of your own, declared once and typed.

``fchain.config`` declares Chainer's documented keys for type checkers and nothing
else, so a misspelt key is a type error.  A key of your own is declared as an
object that knows its name, its type (from its default) and its default::

    USE_AUGMENTATION = ConfigKey("use_augmentation", True)

    if USE_AUGMENTATION.get():          # a bool
        ...
    with USE_AUGMENTATION.using(False):  # for this block, in this context only
        ...
    USE_AUGMENTATION.set(False)          # for this context (``config.<name> = v``)
    USE_AUGMENTATION.set_global(False)   # the default of every context

The value lives under ``name`` with the other keys, so ``using_config(name, v)``
and Chainer code that sets ``fchain.config.<name>`` at run time see the same value.
``get`` checks that what it finds is of the key's type.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Generic, TypeVar, cast

from fchain.graph import config as _config

__all__ = ["ConfigKey"]

T = TypeVar("T")


class ConfigKey(Generic[T]):
    """A typed configuration key: ``name``, with ``default`` until one is set."""

    name: str
    default: T

    def __init__(self, name: str, default: T) -> None:
        if not name.isidentifier():
            raise ValueError(f"ConfigKey: the name must be an identifier, got {name!r}")
        self.name = name
        self.default = default

    def get(self) -> T:
        """The value in this context: the innermost ``using``, else the global one,
        else the default."""
        try:
            value: object = getattr(_config.config, self.name)
        except AttributeError:
            return self.default
        kind = type(self.default)
        if self.default is not None and not isinstance(value, kind):
            raise TypeError(f"fchain.config.{self.name} is {value!r}, not a {kind.__name__}")
        return cast(T, value)  # checked against the default's type above

    def set(self, value: T) -> None:
        """Set the value for the current context (thread or task)."""
        setattr(_config.config, self.name, value)

    def set_global(self, value: T) -> None:
        """Set the default value of every context."""
        setattr(_config.global_config, self.name, value)

    def using(self, value: T) -> contextlib.AbstractContextManager[None]:
        """Inside the ``with`` block, in this context only, the value is ``value``."""
        return _using(self.name, value)

    def __repr__(self) -> str:
        return f"ConfigKey({self.name!r}, default={self.default!r})"


@contextlib.contextmanager
def _using(name: str, value: object) -> Iterator[None]:
    with _config.using_config(name, value):
        yield

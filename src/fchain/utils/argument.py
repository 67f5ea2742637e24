"""Keyword-argument parsing for functions that take ``**kwargs`` (Chainer's
``chainer.utils.argument``).

Chainer code keeps old keywords working, or rejects removed ones with advice, by
taking ``**kwargs`` and parsing them here::

    def forward(self, x, **kwargs):
        ratio, = argument.parse_kwargs(
            kwargs, ('ratio', 0.5),
            train='train argument is not supported anymore. '
                  'Use fchain.using_config')
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

__all__ = ["assert_kwargs_empty", "check_unexpected_kwargs", "parse_kwargs"]


# Any: a caller's ``**kwargs``, whose value types are the caller's (and a mapping's
# value type is invariant, so ``object`` would refuse them).
def check_unexpected_kwargs(kwargs: MutableMapping[str, Any], **unexpected: str) -> None:
    """Raise ``ValueError`` with the message given for the first keyword of
    ``unexpected`` that ``kwargs`` holds (``train='use using_config'``)."""
    for key, message in unexpected.items():
        if key in kwargs:
            raise ValueError(message)


def _caller_name(depth: int) -> str:
    """The name of the function ``depth`` frames above the caller (for messages)."""
    try:
        return sys._getframe(depth + 1).f_code.co_name
    except ValueError:  # the stack is not that deep
        return "function"


# Any: a caller's ``**kwargs`` and defaults, whose types are the caller's; the
# values come back as the caller declared them.
def parse_kwargs(kwargs: MutableMapping[str, Any], *name_and_values: tuple[str, Any],
                 **unexpected: str) -> tuple[Any, ...]:
    """Pop each ``(name, default)`` of ``name_and_values`` from ``kwargs`` and return
    their values in that order (the default where the name is absent).

    Keywords left over are errors: one named in ``unexpected`` raises ``ValueError``
    with its message (a removed argument and what replaces it); any other raises
    ``TypeError`` naming the calling function and every leftover keyword, as Python
    does for an unknown keyword.  ``kwargs`` is consumed (the names are popped).
    """
    values = tuple(kwargs.pop(name, default) for name, default in name_and_values)
    if kwargs:
        check_unexpected_kwargs(kwargs, **unexpected)
        names = ", ".join(repr(key) for key in sorted(kwargs))
        raise TypeError(f"{_caller_name(1)}() got unexpected keyword argument(s) {names}")
    return values


# Any: a caller's ``**kwargs`` (see check_unexpected_kwargs).
def assert_kwargs_empty(kwargs: MutableMapping[str, Any]) -> None:
    """Raise ``TypeError`` (naming the caller) when ``kwargs`` is not empty."""
    if kwargs:
        names = ", ".join(repr(key) for key in sorted(kwargs))
        raise TypeError(f"{_caller_name(1)}() got unexpected keyword argument(s) {names}")

"""What optimizer hooks and update-rule hooks share: their types and their names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

__all__ = ["Hook", "Timing", "check_timing", "hook_name"]

Timing = Literal["pre", "post", "auto"]
"""When a hook runs: before (``'pre'``) or after (``'post'``) the parameter updates;
``'auto'`` takes the hook's own ``timing`` attribute."""

Hook = Callable[..., object]
"""An optimizer hook: ``hook(optimizer)``, or ``hook(update_rule, param)`` for each
parameter when ``hook.call_for_each_param`` is true.  An update-rule hook is
``hook(update_rule, param)``."""


def check_timing(hook: object, timing: object, where: str) -> None:
    """Raise unless ``hook`` is callable and ``timing`` is a ``Timing``."""
    if not callable(hook):
        raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
    if timing not in ("pre", "post", "auto"):
        raise ValueError(f"{where}: timing must be 'pre', 'post' or 'auto', got {timing!r}")


def hook_name(hook: Hook, name: str | None, where: str) -> str:
    """``name``, else the hook's ``name`` attribute, else its ``__name__``."""
    if name is not None:
        return name
    found = getattr(hook, "name", None) or getattr(hook, "__name__", None)
    if not isinstance(found, str):
        raise ValueError(f"{where}: the hook has no name attribute; pass name=")
    return found

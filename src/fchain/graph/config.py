"""Configuration in Chainer's words, safe under threads and async tasks.

``global_config`` holds the process-wide defaults.  ``config`` reads a per-context
overlay (a ``contextvars.ContextVar``) first, then the defaults, so
``using_config('train', False)`` in one thread never leaks into another.  New
threads start from the global defaults, as in Chainer.

``config.dtype`` is the default floating dtype (``$FCHAIN_DTYPE``, else
``$CHAINER_DTYPE``, else float32), or ``mixed16``; ``get_dtype`` resolves it.

Typing: the documented keys are declared with their types, and nothing else is
an attribute for type checkers, so ``fchain.config.trian`` is a type error (at run
time the lookup of a key no one set raises ``AttributeError`` naming it).  Keys of
your own are declared once, typed, as ``ConfigKey`` objects
(``fchain.graph.config_key``): ``MY_FLAG = ConfigKey("my_flag", False)``, then
``MY_FLAG.get()``, ``MY_FLAG.set(True)`` and ``with MY_FLAG.using(True):``; they
live with the other keys, so ``using_config("my_flag", ...)`` and Chainer code
that sets ``config.my_flag`` see the same value.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import numpy

from fchain.types import DType, DTypeLike

__all__ = [
    "GLOBAL_VERSION",
    "HOT_FLAGS",
    "GlobalConfig",
    "LocalConfig",
    "Mixed16",
    "config",
    "force_backprop_mode",
    "get_dtype",
    "global_config",
    "hot_flags",
    "is_debug",
    "mixed16",
    "no_backprop_mode",
    "refresh_hot_flags",
    "set_debug",
    "using_config",
]

_EMPTY: Mapping[str, object] = MappingProxyType({})
_OVERLAY: contextvars.ContextVar[Mapping[str, object]] = contextvars.ContextVar(
    "fchain_config", default=_EMPTY
)
_STALE = (-1, True, False)

HOT_FLAGS: contextvars.ContextVar[tuple[int, bool, bool]] = contextvars.ContextVar(
    "fchain_hot_flags", default=_STALE
)
"""The two flags every op reads, cached per context so that the hot path is one
ContextVar read: ``(version, enable_backprop, debug)``, current while ``version ==
GLOBAL_VERSION[0]``; otherwise ``refresh_hot_flags()`` computes them.  ``apply``
reads them so, inline (``hot_flags()`` is the same as a function)."""

GLOBAL_VERSION = [0]
"""Bumped by every change of a global default: it makes every context's cached
``HOT_FLAGS`` stale.  (A ``using_config`` block sets its own context's stale.)"""


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value not in ("0", "", "false", "False")


class Mixed16:
    """The type of ``mixed16``, Chainer's "16/32-bit mixed precision" dtype marker.

    Set ``config.dtype = mixed16`` (or ``FCHAIN_DTYPE=mixed16``) and ``get_dtype()``
    gives float16 (so initializers and data loaders make float16 arrays), while
    code that keeps some values in higher precision asks for it with
    ``get_dtype(map_mixed16=numpy.float32)``.  numpy reads it as float16
    (``numpy.dtype(mixed16)``) through its ``dtype`` attribute.
    """

    __slots__ = ()
    dtype: Final = numpy.dtype(numpy.float16)

    def __repr__(self) -> str:
        return "dtype('mixed16')"

    def __reduce__(self) -> str:
        return "mixed16"  # pickles as a reference to the one instance


mixed16: Final = Mixed16()
"""The only ``Mixed16``: compare with ``is``."""


def _default_dtype() -> DType | Mixed16:
    """``$FCHAIN_DTYPE`` (else ``$CHAINER_DTYPE``): float16/32/64 or mixed16."""
    name = os.environ.get("FCHAIN_DTYPE") or os.environ.get("CHAINER_DTYPE") or "float32"
    if name == "mixed16":
        return mixed16
    if name not in ("float16", "float32", "float64"):
        raise TypeError(f"FCHAIN_DTYPE / CHAINER_DTYPE: the default dtype must be float16, float32, "
                        f"float64 or mixed16, got {name!r}")
    return numpy.dtype(name)


class _ConfigKeys:
    """The documented keys and their types, declared once for ``GlobalConfig`` and
    ``LocalConfig`` (annotations only: no class attribute shadows a lookup)."""

    train: bool
    enable_backprop: bool
    debug: bool
    type_check: bool
    dtype: DType | Mixed16
    keep_graph_on_report: bool
    lazy_grad_sum: bool
    use_cudnn: str
    cudnn_deterministic: bool
    autotune: bool
    use_ideep: str
    in_recomputing: bool


class GlobalConfig(_ConfigKeys):
    """Process-wide defaults.  Attributes beyond the documented ones may be added."""

    def __init__(self) -> None:
        self.train = True
        self.enable_backprop = True
        self.debug: bool = _env_flag("FCHAIN_DEBUG", _env_flag("CHAINER_DEBUG", False))
        self.type_check = True
        self.dtype: DType | Mixed16 = _default_dtype()
        self.keep_graph_on_report = False
        self.lazy_grad_sum = False
        self.use_cudnn = "auto"
        self.cudnn_deterministic = False
        self.autotune = False
        self.use_ideep = "never"
        self.in_recomputing = False

    if not TYPE_CHECKING:  # hidden from checkers: a misspelt key stays an error

        def __setattr__(self, name: str, value: object) -> None:
            object.__setattr__(self, name, value)
            GLOBAL_VERSION[0] += 1

    def show(self) -> str:
        """Every key and its value, one per line, sorted."""
        return "\n".join(f"{k:<22}{v}" for k, v in sorted(vars(self).items()))


global_config: GlobalConfig = GlobalConfig()


class LocalConfig(_ConfigKeys):
    """The configuration seen by the current thread or task.

    Reading an attribute returns the innermost ``using_config`` value, or the global
    default.  Assigning one (``fchain.config.train = False``) changes it for the
    current context only.
    """

    # Hidden from type checkers, which read the declared keys of ``_ConfigKeys``:
    # with these visible, any misspelt ``config.<name>`` would type-check.
    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> object:
            overlay = _OVERLAY.get()
            if name in overlay:
                return overlay[name]
            try:
                return getattr(global_config, name)
            except AttributeError:
                raise AttributeError(f"fchain.config has no key {name!r}") from None

        def __setattr__(self, name: str, value: object) -> None:
            overlay = dict(_OVERLAY.get())
            overlay[name] = value
            _set_overlay(MappingProxyType(overlay))

        def __delattr__(self, name: str) -> None:
            overlay = dict(_OVERLAY.get())
            overlay.pop(name, None)
            _set_overlay(MappingProxyType(overlay))

    def show(self) -> str:
        """Every key and its effective value, one per line, sorted."""
        merged = {**vars(global_config), **_OVERLAY.get()}
        return "\n".join(f"{k:<22}{v}" for k, v in sorted(merged.items()))


config: LocalConfig = LocalConfig()


def _set_overlay(overlay: Mapping[str, object]) -> contextvars.Token[Mapping[str, object]]:
    token = _OVERLAY.set(overlay)
    HOT_FLAGS.set(_STALE)
    return token


def refresh_hot_flags() -> tuple[int, bool, bool]:
    """Compute this context's ``HOT_FLAGS``, store and return them."""
    overlay = _OVERLAY.get()
    flags = (
        GLOBAL_VERSION[0],
        bool(overlay.get("enable_backprop", global_config.enable_backprop)),
        bool(overlay.get("debug", global_config.debug)),
    )
    HOT_FLAGS.set(flags)
    return flags


def hot_flags() -> tuple[bool, bool]:
    """``(enable_backprop, debug)`` for the current context."""
    flags = HOT_FLAGS.get()
    if flags[0] != GLOBAL_VERSION[0]:
        flags = refresh_hot_flags()
    return flags[1], flags[2]


def keep_graph_on_report() -> bool:
    """``config.keep_graph_on_report`` for the current context, read without the
    attribute protocol (every report reads it)."""
    overlay = _OVERLAY.get()
    if "keep_graph_on_report" in overlay:
        return bool(overlay["keep_graph_on_report"])
    return bool(getattr(global_config, "keep_graph_on_report", False))


@contextlib.contextmanager
def using_config(name: str, value: object) -> Iterator[None]:
    """Set ``config.<name>`` to ``value`` inside the ``with`` block only."""
    overlay = dict(_OVERLAY.get())
    overlay[name] = value
    token = _OVERLAY.set(MappingProxyType(overlay))
    hot_token = HOT_FLAGS.set(_STALE)
    try:
        yield
    finally:
        HOT_FLAGS.reset(hot_token)
        _OVERLAY.reset(token)


def get_dtype(dtype: DTypeLike | None = None, map_mixed16: DTypeLike | None = None) -> DType:
    """The dtype to use: ``dtype`` when given, else ``config.dtype``, as a numpy dtype.

    When that is ``mixed16``, the result is ``map_mixed16`` if given, else float16
    (Chainer's rule: parameters that need precision, such as batch normalization's
    statistics, ask for ``map_mixed16=numpy.float32``).
    """
    chosen: object = config.dtype if dtype is None else dtype
    if chosen is mixed16 and map_mixed16 is not None:
        chosen = map_mixed16
    result: DType = numpy.dtype(chosen)  # type: ignore[call-overload]  # a DTypeLike or mixed16
    return result


def no_backprop_mode() -> contextlib.AbstractContextManager[None]:
    """Inside, ops build no graph: ``using_config('enable_backprop', False)``."""
    return using_config("enable_backprop", False)


def force_backprop_mode() -> contextlib.AbstractContextManager[None]:
    """Inside, ops build the graph even within ``no_backprop_mode``."""
    return using_config("enable_backprop", True)


def is_debug() -> bool:
    """Whether debug mode (NaN/Inf checks on every op) is on in this context."""
    return hot_flags()[1]


def set_debug(debug: bool) -> None:
    """Turn debug mode on or off for the whole process."""
    global_config.debug = debug

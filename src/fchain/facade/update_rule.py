"""``UpdateRule``: how one parameter is updated from its gradient.

An optimizer gives each parameter its own rule (``param.update_rule``), which keeps
the parameter's state arrays (``rule.state``, made at the first update), its step
count ``t``, its hyperparameters (falling back to the optimizer's) and its hooks.

``update`` runs Chainer's order: nothing when ``enabled`` is False; else ``t += 1``,
the state on first use (``init_state``), the pre-hooks, the update math in place
(``update_core``: ``update_core_cpu``, or ``update_core_gpu`` on the array's GPU),
the post-hooks.  A rule caches what it derives from its hyperparameters
(``_read_hyperparam``) and re-reads it only when their version changes
(``fchain.facade.hyperparameter``).  Once a numpy parameter's state exists and the
rule has no hooks, an update goes straight to ``update_core_cpu``, or to what a
subclass bound in its place (``_cpu_update``, and ``_fast_update`` for the whole
fast path) until the state or the hyperparameters change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

import numpy

from fchain.core import backend
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.optim_hooks import Hook, Timing, check_timing, hook_name
from fchain.facade.optim_serialize import serialize_hyperparam
from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.graph.device import get_device_from_array
from fchain.graph.variable import Variable
from fchain.types import Array

__all__ = ["UpdateRule"]

_ndarray = numpy.ndarray


def _no_change() -> None:
    pass


class _State(dict[str, Array]):
    """A rule's state arrays by name; every change of an entry calls ``on_change``,
    so a rule may keep the arrays in a cached argument list."""

    _on_change: Callable[[], None] = staticmethod(_no_change)

    def __init__(self, on_change: Callable[[], None], entries: dict[str, Array] | None = None) -> None:
        super().__init__(entries or {})
        self._on_change = on_change

    def __setitem__(self, key: str, value: Array) -> None:
        super().__setitem__(key, value)
        self._on_change()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._on_change()

    def pop(self, *args: Any) -> Any:
        value = super().pop(*args)
        self._on_change()
        return value

    def popitem(self) -> tuple[str, Array]:
        item = super().popitem()
        self._on_change()
        return item

    def clear(self) -> None:
        super().clear()
        self._on_change()

    def setdefault(self, key: str, default: Array) -> Array:
        value = super().setdefault(key, default)
        self._on_change()
        return value

    def update(self, *args: Any, **kwargs: Array) -> None:
        super().update(*args, **kwargs)
        self._on_change()

    def __ior__(self, other: Any) -> _State:  # type: ignore[override,misc]  # same as update
        self.update(other)
        return self


class UpdateRule:
    """How one parameter is updated from its gradient; one instance per parameter.

    Subclasses implement ``update_core_cpu`` / ``update_core_gpu`` (or
    ``update_core``) and, when they keep per-parameter state, ``init_state``, which
    fills ``self.state`` at the first update.

    Attributes:
        t: the number of updates this rule has made.
    """

    is_elementwise: ClassVar[bool] = False
    # True unless a subclass overrides update_core: update() then dispatches to
    # update_core_cpu itself, saving a call per parameter on the hot path.
    _default_update_core: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._default_update_core = cls.update_core is UpdateRule.update_core

    t: int

    def __init__(self, parent_hyperparam: Hyperparameter | None = None) -> None:
        self._pre_update_hooks: dict[str, Hook] = {}
        self._post_update_hooks: dict[str, Hook] = {}
        self._state: dict[str, Array] | None = None
        self._state_kind: type | None = None
        # numpy.ndarray while update() may go straight to update_core_cpu for numpy
        # parameters: enabled, state ready, no hooks, update_core not overridden.
        self._fast_kind: type | None = None
        self._enabled = True
        self.t = 0
        self._hyperparam = self._new_hyperparam(parent_hyperparam)
        self._hp_version = self._hyperparam._version
        self._hp_seen = -1  # the version _read_hyperparam last saw
        # What an update of a numpy parameter calls: update_core_cpu, or an equivalent
        # a subclass binds to its current arguments (see DescribedRule).
        self._cpu_update: Callable[[Variable], None] = self.update_core_cpu
        # What an optimizer's step calls for each parameter: ``_update_unhooked``, or
        # the same fast path with the CPU rule bound into it (see DescribedRule).
        self._fast_update: Callable[[Variable], bool] = self._update_unhooked

    def _new_hyperparam(self, parent: Hyperparameter | None) -> Hyperparameter:
        """The hyperparameter object of a new rule (typed subclasses return theirs)."""
        return Hyperparameter(parent)

    @property
    def enabled(self) -> bool:
        """When False, ``update`` does nothing (not even ``t += 1``)."""
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = bool(value)
        self._fast_kind = None

    @property
    def hyperparam(self) -> Hyperparameter:
        """This rule's hyperparameters (falling back to the optimizer's)."""
        return self._hyperparam

    @property
    def state(self) -> dict[str, Array] | None:
        """The per-parameter state arrays by name; ``None`` before the first update."""
        return self._state

    def _read_hyperparam(self) -> None:
        """Cache the hyperparameter values ``update_core_cpu``/``_gpu`` use.

        Called before the first update and again after this rule's hyperparameters
        (its own entries or an ancestor's) changed, so a rule reads its entries
        once, not on every step.  Rules that read ``self.hyperparam`` directly need
        not override it."""

    def _state_changed(self) -> None:
        """Called whenever the state arrays were made, replaced, moved or loaded:
        drops what was bound to them (rules that cache more extend it)."""
        self._cpu_update = self.update_core_cpu
        self._fast_update = self._update_unhooked

    # What was bound to this rule's arrays is not copied with it.
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_cpu_update", None)
        state.pop("_fast_update", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._state_changed()

    # ----------------------------------------------------------------- hooks
    def add_hook(self, hook: Hook, name: str | None = None, timing: Timing = "auto") -> None:
        """Register ``hook(rule, param)`` to run before (``'pre'``) or after
        (``'post'``) each update of this parameter; ``'auto'`` uses ``hook.timing``
        (default ``'pre'``)."""
        check_timing(hook, timing, "UpdateRule.add_hook")
        resolved = getattr(hook, "timing", "pre") if timing == "auto" else timing
        key = hook_name(hook, name, "UpdateRule.add_hook")
        if key in self._pre_update_hooks or key in self._post_update_hooks:
            raise ValueError(f"UpdateRule.add_hook: a hook named {key!r} already exists")
        (self._post_update_hooks if resolved == "post" else self._pre_update_hooks)[key] = hook
        self._fast_kind = None

    def remove_hook(self, name: str) -> None:
        """Remove the hook registered as ``name``."""
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]

    # ---------------------------------------------------------------- update
    def update(self, param: Variable) -> None:
        """Run the hooks and update ``param`` in place from ``param.grad``."""
        if not self._fast_update(param):
            self._update_in_order(param)

    def _update_unhooked(self, param: Variable) -> bool:
        """``update(param)``, unless this rule has hooks: then nothing happens and the
        result is False (``GradientMethod``'s single pass then switches to Chainer's
        order of steps, since a hook may touch any gradient)."""
        data = param._data  # the hot path reads the slot, not the property
        if type(data) is self._fast_kind:
            self.t += 1
            version = self._hp_version.value
            if self._hp_seen != version:
                self._hp_seen = version
                self._read_hyperparam()
            self._cpu_update(param)
            return True
        if self._pre_update_hooks or self._post_update_hooks:
            return False
        self._update_in_order(param)
        return True

    def _update_in_order(self, param: Variable) -> None:
        if not self._enabled:
            return
        self.t += 1
        data = param._data
        if type(data) is not self._state_kind and data is not None:
            # first update, state loaded from a file, or the parameter changed device
            self._prepare(param)
        if self._pre_update_hooks:
            for hook in tuple(self._pre_update_hooks.values()):
                hook(self, param)
        self.update_core(param)
        if self._post_update_hooks:
            for hook in tuple(self._post_update_hooks.values()):
                hook(self, param)
        self._fast_kind = (
            _ndarray if (self._state_kind is _ndarray and self._default_update_core
                         and not self._pre_update_hooks and not self._post_update_hooks)
            else None)

    def update_core(self, param: Variable) -> None:
        """Dispatch to ``update_core_cpu`` or (on the array's device) ``update_core_gpu``."""
        version = self._hp_version.value
        if self._hp_seen != version:
            self._hp_seen = version
            self._read_hyperparam()
        data = param.data
        if data is None or isinstance(data, numpy.ndarray):
            self._cpu_update(param)
            return
        with cast(Any, data).device:
            self.update_core_gpu(param)

    def update_core_cpu(self, param: Variable) -> None:
        """Update a numpy parameter."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_core_cpu")

    def update_core_gpu(self, param: Variable) -> None:
        """Update a CuPy parameter."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_core_gpu")

    def init_state(self, param: Variable) -> None:
        """Fill ``self.state`` for ``param`` (called at the first update)."""

    def _prepare(self, param: Variable) -> None:
        data = param.data
        state = self._state
        if state is None:
            self._state = _State(self._state_changed)
            if isinstance(data, numpy.ndarray):
                self.init_state(param)
            else:
                with cast(Any, data).device:  # allocate the state on the parameter's GPU
                    self.init_state(param)
        else:
            # State loaded from a file, or the parameter moved to another device.
            device = get_device_from_array(data)
            for key, value in state.items():
                if isinstance(value, numpy.ndarray) or backend.is_cupy_array(value):
                    state[key] = device.send(value)
        self._state_kind = type(data)
        self._state_changed()

    def _state_names(self) -> list[str]:
        """The state keys ``init_state`` creates (probed on a one-element dummy)."""
        saved = self._state
        self._state = {}
        try:
            dummy_array = numpy.empty(1, dtype=numpy.float32)
            self.init_state(Variable(dummy_array, grad=dummy_array))
            return list(self._state)
        finally:
            self._state = saved

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load ``t``, the state arrays and the overridden hyperparameters.

        Loading into a rule that has no state yet creates it from the file.  When
        the file lacks the state (saved before the first update), a strict load
        fails with the missing keys, as Chainer's does; a non-strict load leaves the
        state ``None``, to be created at the next update.  A missing key raises
        ``KeyError`` only for an enabled rule (frozen parameters may lack state).
        """
        self.t = int(serializer("t", self.t))
        state = self._state
        if state is None:
            if isinstance(serializer, Deserializer):
                loaded: dict[str, Array] | None = {}
                for key in self._state_names():
                    try:
                        value = serializer(key, None)
                    except KeyError:
                        if self._enabled:
                            raise
                        value = None
                    if value is None:
                        loaded = None
                        break
                    assert loaded is not None
                    loaded[key] = cast(Array, value)
                self._state = None if loaded is None else _State(self._state_changed, loaded)
                self._state_kind = self._fast_kind = None
        else:
            for key in list(state):
                state[key] = serializer(key, state[key])
            self._state_kind = self._fast_kind = None
        serialize_hyperparam(serializer, self._hyperparam, self._hyperparam.own_items())

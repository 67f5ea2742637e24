"""``Optimizer``, ``GradientMethod``, ``UpdateRule`` and ``Hyperparameter``: Chainer's
optimizer machinery, the stateful shell around the pure update math of
``fchain.core.optim_rules``.

``GradientMethod.update(lossfun=None, *args, **kwds)`` runs Chainer's order of
operations:

1. with ``lossfun``: ``loss = lossfun(*args, **kwds)``, ``target.cleargrads()``
   (``zerograds()`` after ``use_cleargrads(False)``), ``loss.backward()``;
2. every initialized parameter without a gradient gets a zero gradient
   (``reallocate_cleared_grads``), so it is still updated (momentum, decay);
3. the ``'pre'`` hooks run in registration order (gradients reallocated after each);
4. ``t += 1``;
5. each parameter's own ``UpdateRule.update``: skipped when ``enabled`` is False,
   else its ``t += 1``, its state is created on first use (``init_state``), its own
   pre-hooks run, the update math is applied in place (on a GPU as one fused CuPy
   kernel), then its post-hooks;
6. gradients are reallocated again and the ``'post'`` hooks run.

The parameters updated are the target's, read again whenever the target's tree
changed (its structure version, ``fchain.facade.link_tree``): a parameter added
after ``setup`` has no update rule and is left alone, as in Chainer; call ``setup``
again after adding or replacing parameters.  With no hooks anywhere, steps 2-6 run as
one pass over the parameters (the same result with less per-parameter overhead).

Each update rule reads its hyperparameters through a ``Hyperparameter`` whose
parent is the optimizer's, so ``optimizer.lr = 0.1`` reaches every rule while
``param.update_rule.hyperparam.lr = 0.5`` overrides one parameter.

Serialization writes Chainer's keys (``t``, ``epoch``, ``<param path>/t`` and
``<param path>/<state name>``), plus, as an fchain addition Chainer ignores, the
hyperparameters under ``__fchain__/hyperparam/<name>`` (the optimizer's) and
``<param path>/__fchain__/hyperparam/<name>`` (per-rule overrides), so a resumed
run continues with the learning rate it stopped at.  A file without those keys
(one Chainer wrote) loads and leaves the hyperparameters as they are.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Self, TypeVar, cast, overload

import numpy

from fchain.core import backend
from fchain.facade.link import Link
from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.graph.variable import Parameter, Variable
from fchain.types import Array

__all__ = [
    "GradientMethod",
    "Hook",
    "Hyperparameter",
    "HyperparameterProxy",
    "Optimizer",
    "Timing",
    "UpdateRule",
]

Timing = Literal["pre", "post", "auto"]
"""When a hook runs: before (``'pre'``) or after (``'post'``) the parameter updates;
``'auto'`` takes the hook's own ``timing`` attribute."""

Hook = Callable[..., object]
"""An optimizer hook: ``hook(optimizer)``, or ``hook(update_rule, param)`` for each
parameter when ``hook.call_for_each_param`` is true.  An update-rule hook is
``hook(update_rule, param)``."""

if TYPE_CHECKING:
    # An unparametrized ``HyperparameterProxy('lr')`` (Chainer's spelling) aliases an
    # entry of unknown type, as dynamic as the Hyperparameter entry itself.
    from typing_extensions import TypeVar as _TypeVarWithDefault

    _V = _TypeVarWithDefault("_V", default=Any)
else:
    _V = TypeVar("_V")


def _is_link(obj: object) -> bool:
    return isinstance(obj, Link)


# ------------------------------------------------------------ hyperparameters
# Bumped on every assignment to (or deletion from) any Hyperparameter, so an update
# rule can cache its resolved hyperparameters and re-read them only after a change.
_stamp = [0]
# How many hooks were ever added to any update rule: while 0, GradientMethod.update
# can take its fast path (no rule hook can clear a gradient mid-update).
_rule_hooks_added = [0]


class Hyperparameter:
    """A set of hyperparameter entries that falls back to a parent's.

    Entries are plain attributes (``hp.lr = 0.01``).  Reading an entry this object
    does not have returns the parent's, so an update rule's hyperparameter (whose
    parent is the optimizer's) follows every change made on the optimizer until the
    rule overrides the entry itself; ``del hp.lr`` removes the override.

    Typed subclasses (``fchain.optimizers.AdamHyperparameter``...) declare their
    entries so that ``optimizer.hyperparam.alpha`` is a ``float`` for mypy; entries
    nobody declared are dynamic, as in Chainer.
    """

    _parent: Hyperparameter | None

    def __init__(self, parent: Hyperparameter | None = None) -> None:
        object.__setattr__(self, "_parent", parent)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails, i.e. for entries this object lacks.
        d = self.__dict__
        if name.startswith("__") or "_parent" not in d:
            raise AttributeError(name)
        parent = d["_parent"]
        if parent is None:
            raise AttributeError(f"hyperparameter {name!r} is not set")
        return getattr(parent, name)

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        _stamp[0] += 1

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        _stamp[0] += 1

    @property
    def parent(self) -> Hyperparameter | None:
        """The hyperparameter this one falls back to."""
        return self.__dict__["_parent"]  # type: ignore[no-any-return]  # set in __init__

    def own_items(self) -> list[tuple[str, object]]:
        """The entries set on this object itself (not inherited), in setting order."""
        return [(k, v) for k, v in self.__dict__.items() if k != "_parent"]

    def get_dict(self) -> dict[str, object]:
        """Every entry this hyperparameter can read, its own overriding its parent's."""
        parent = self.parent
        d = {} if parent is None else parent.get_dict()
        d.update(self.own_items())
        return d

    def __repr__(self) -> str:
        d = self.get_dict()
        return "Hyperparameter(%s)" % ", ".join(f"{k}={d[k]}" for k in sorted(d))


class HyperparameterProxy(Generic[_V]):
    """A class attribute of an optimizer that aliases one hyperparameter entry:
    ``lr = HyperparameterProxy[float]('lr')`` makes ``optimizer.lr`` read and write
    ``optimizer.hyperparam.lr``."""

    def __init__(self, attr_name: str) -> None:
        self._attr_name = attr_name
        self.__doc__ = f"Alias to ``self.hyperparam.{attr_name}``"

    @overload
    def __get__(self, obj: None, owner: type[object] | None = None) -> HyperparameterProxy[_V]: ...
    @overload
    def __get__(self, obj: GradientMethod, owner: type[object] | None = None) -> _V: ...

    def __get__(self, obj: GradientMethod | None,
                owner: type[object] | None = None) -> HyperparameterProxy[_V] | _V:
        if obj is None:
            return self
        return cast(_V, getattr(obj.hyperparam, self._attr_name))

    def __set__(self, obj: GradientMethod, value: _V) -> None:
        setattr(obj.hyperparam, self._attr_name, value)


# -------------------------------------------------------------- serialization
_FCHAIN_GROUP = "__fchain__"
_HYPERPARAM_GROUP = "hyperparam"
_SCALAR_TYPES = (bool, int, float)
_ndarray = numpy.ndarray


def _read_optional(serializer: AbstractSerializer, path: tuple[str, ...], key: str) -> object | None:
    """The stored value under ``path/key``, or ``None`` when the file lacks it (a
    file Chainer wrote has no fchain keys)."""
    try:
        s = serializer
        for part in path:
            s = s[part]
        contains = getattr(s, "__contains__", None)
        if contains is not None and not contains(key):
            return None
        value: object = s(key, None)
    except KeyError:
        return None
    return value


def _as_scalar(value: object) -> bool | int | float | None:
    try:
        item = numpy.asarray(backend.to_numpy(cast(Array, value))).item()
    except (TypeError, ValueError):
        return None
    return item if isinstance(item, _SCALAR_TYPES) else None


def _serialize_hyperparam(serializer: AbstractSerializer, hp: Hyperparameter,
                          entries: Iterable[tuple[str, object]]) -> None:
    path = (_FCHAIN_GROUP, _HYPERPARAM_GROUP)
    if isinstance(serializer, Deserializer):
        for name in hp.get_dict():
            raw = _read_optional(serializer, path, name)
            if raw is not None:
                scalar = _as_scalar(raw)
                if scalar is not None:
                    setattr(hp, name, scalar)
        return
    items = [(k, v.item() if isinstance(v, numpy.generic) else v) for k, v in entries]
    items = [(k, v) for k, v in items if isinstance(v, _SCALAR_TYPES)]
    if items:
        group = serializer[_FCHAIN_GROUP][_HYPERPARAM_GROUP]
        for name, value in items:
            group(name, value)


def _split_path(name: str) -> list[str]:
    return [part for part in name.split("/") if part]


# ---------------------------------------------------------------- update rule
class UpdateRule:
    """How one parameter is updated from its gradient; one instance per parameter.

    Subclasses implement ``update_core_cpu`` / ``update_core_gpu`` (or
    ``update_core``) and, when they keep per-parameter state, ``init_state``, which
    fills ``self.state`` at the first update.

    Attributes:
        enabled: when False, ``update`` does nothing (not even ``t += 1``).
        t: the number of updates this rule has made.
    """

    is_elementwise: ClassVar[bool] = False
    # True unless a subclass overrides update_core: update() then dispatches to
    # update_core_cpu itself, saving a call per parameter on the hot path.
    _default_update_core: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._default_update_core = cls.update_core is UpdateRule.update_core

    enabled: bool
    t: int

    def __init__(self, parent_hyperparam: Hyperparameter | None = None) -> None:
        self._pre_update_hooks: dict[str, Hook] = {}
        self._post_update_hooks: dict[str, Hook] = {}
        self._state: dict[str, Array] | None = None
        self._state_kind: type | None = None
        # numpy.ndarray while update() may take its fast path for numpy parameters.
        self._fast_kind: type | None = None
        self.enabled = True
        self.t = 0
        self._hyperparam = self._new_hyperparam(parent_hyperparam)
        self._hp_stamp = -1

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> Hyperparameter:
        """The hyperparameter object of a new rule (typed subclasses return theirs)."""
        return Hyperparameter(parent)

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

        ``update_core`` calls it before the first update and again after any
        hyperparameter anywhere changed, so a rule reads its (inherited) entries
        once, not on every step.  Rules that read ``self.hyperparam`` directly need
        not override it."""

    # ----------------------------------------------------------------- hooks
    def add_hook(self, hook: Hook, name: str | None = None, timing: Timing = "auto") -> None:
        """Register ``hook(rule, param)`` to run before (``'pre'``) or after
        (``'post'``) each update of this parameter; ``'auto'`` uses ``hook.timing``
        (default ``'pre'``)."""
        if not callable(hook):
            raise TypeError(f"UpdateRule.add_hook: hook must be callable, got {type(hook).__name__}")
        if timing not in ("pre", "post", "auto"):
            raise ValueError(f"UpdateRule.add_hook: timing must be 'pre', 'post' or 'auto', got {timing!r}")
        resolved = getattr(hook, "timing", "pre") if timing == "auto" else timing
        key = _hook_name(hook, name, "UpdateRule.add_hook")
        if key in self._pre_update_hooks or key in self._post_update_hooks:
            raise ValueError(f"UpdateRule.add_hook: a hook named {key!r} already exists")
        (self._post_update_hooks if resolved == "post" else self._pre_update_hooks)[key] = hook
        _rule_hooks_added[0] += 1
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
        if not self.enabled:
            return
        self.t += 1
        data = param._data  # the hot path reads the slot, not the property
        if type(data) is self._fast_kind:
            # numpy parameter, state ready, no hooks, update_core not overridden:
            # update_core inlined.
            if self._hp_stamp != _stamp[0]:
                self._hp_stamp = _stamp[0]
                self._read_hyperparam()
            self.update_core_cpu(param)
            return
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
        if self._hp_stamp != _stamp[0]:
            self._hp_stamp = _stamp[0]
            self._read_hyperparam()
        data = param.data
        if data is None or isinstance(data, numpy.ndarray):
            self.update_core_cpu(param)
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
            self._state = {}
            if isinstance(data, numpy.ndarray):
                self.init_state(param)
            else:
                with cast(Any, data).device:  # allocate the state on the parameter's GPU
                    self.init_state(param)
        else:
            # State loaded from a file, or the parameter moved to another device.
            from fchain.graph.device import get_device_from_array

            device = get_device_from_array(data)
            for key, value in state.items():
                if isinstance(value, numpy.ndarray) or backend.is_cupy_array(value):
                    state[key] = device.send(value)
        self._state_kind = type(data)

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
                        if self.enabled:
                            raise
                        value = None
                    if value is None:
                        loaded = None
                        break
                    assert loaded is not None
                    loaded[key] = cast(Array, value)
                self._state = loaded
                self._state_kind = self._fast_kind = None
        else:
            for key in list(state):
                state[key] = serializer(key, state[key])
            self._state_kind = self._fast_kind = None
        _serialize_hyperparam(serializer, self._hyperparam, self._hyperparam.own_items())


def _hook_name(hook: Hook, name: str | None, where: str) -> str:
    if name is not None:
        return name
    found = getattr(hook, "name", None) or getattr(hook, "__name__", None)
    if not isinstance(found, str):
        raise ValueError(f"{where}: the hook has no name attribute; pass name=")
    return found


# ------------------------------------------------------------------ optimizer
class Optimizer:
    """Base of all optimizers: a target link, step and epoch counters, and hooks.

    Attributes:
        t: the number of update steps.
        epoch: the epoch count, incremented by ``new_epoch``.
        use_auto_new_epoch: set by an updater that calls ``new_epoch(auto=True)``.
    """

    t: int = 0
    epoch: int = 0
    use_auto_new_epoch: bool = False
    _target: Link | None = None
    _pre_update_hooks: dict[str, Hook] | None = None
    _post_update_hooks: dict[str, Hook] | None = None

    @property
    def target(self) -> Link:
        """The link being optimized (set by ``setup``)."""
        target = self._target
        if target is None:
            raise RuntimeError(f"{type(self).__name__}: no target link; call setup(link) first")
        return target

    @target.setter
    def target(self, link: Link) -> None:
        self._target = link

    def setup(self, link: Link) -> Self:
        """Set the target link and reset ``t``, ``epoch`` and the hooks; returns
        the optimizer, so ``opt = optimizers.SGD().setup(model)`` works."""
        if not _is_link(link):
            raise TypeError(
                f"{type(self).__name__}.setup: the optimization target must be a Link, "
                f"got {type(link).__name__}")
        self._target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks = {}
        self._post_update_hooks = {}
        return self

    def update(self, lossfun: Callable[..., Variable] | None = None,
               *args: object, **kwds: object) -> None:
        """Update the parameters (see ``GradientMethod.update``)."""
        raise NotImplementedError

    def new_epoch(self, auto: bool = False) -> None:
        """Increment ``epoch``.  ``auto=True`` is for updaters, which must set
        ``use_auto_new_epoch``; calling it by hand as well is an error."""
        if auto:
            if not self.use_auto_new_epoch:
                raise RuntimeError(
                    "new_epoch(auto=True) was called but use_auto_new_epoch is False; "
                    "an updater that calls new_epoch must set optimizer.use_auto_new_epoch = True")
        elif self.use_auto_new_epoch:
            raise RuntimeError(
                "new_epoch() was called by hand while the updater calls it too "
                "(use_auto_new_epoch is True); stop calling it or pass auto_new_epoch=False "
                "to the updater")
        self.epoch += 1

    def _hooks(self, where: str) -> tuple[dict[str, Hook], dict[str, Hook]]:
        pre, post = self._pre_update_hooks, self._post_update_hooks
        if pre is None or post is None:
            raise RuntimeError(f"{where}: call setup(link) before adding or removing hooks")
        return pre, post

    def add_hook(self, hook: Hook, name: str | None = None, timing: Timing = "auto") -> None:
        """Register a hook: ``hook(optimizer)``, or ``hook(rule, param)`` for every
        parameter when ``hook.call_for_each_param`` is true.

        ``timing='auto'`` uses ``hook.timing`` (warning and using ``'pre'`` when the
        hook has none); ``name`` defaults to ``hook.name`` (or the function's name).
        """
        where = f"{type(self).__name__}.add_hook"
        if not callable(hook):
            raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
        pre, post = self._hooks(where)
        if timing not in ("pre", "post", "auto"):
            raise ValueError(f"{where}: timing must be 'pre', 'post' or 'auto', got {timing!r}")
        resolved: object = timing
        if timing == "auto":
            resolved = getattr(hook, "timing", None)
            if resolved not in ("pre", "post"):
                warnings.warn(f"{where}: the hook has no timing attribute of 'pre' or 'post'; "
                              "running it before the update ('pre')", stacklevel=2)
                resolved = "pre"
        key = _hook_name(hook, name, where)
        if key in pre or key in post:
            raise KeyError(f'{where}: a hook named "{key}" already exists')
        (post if resolved == "post" else pre)[key] = hook

    def remove_hook(self, name: str) -> None:
        """Remove the hook registered as ``name``."""
        pre, post = self._hooks(f"{type(self).__name__}.remove_hook")
        if name in pre:
            del pre[name]
        else:
            del post[name]

    def call_hooks(self, timing: Literal["pre", "post"] = "pre") -> None:
        """Run the ``timing`` hooks in registration order."""
        if timing not in ("pre", "post"):
            raise ValueError(f"call_hooks: timing must be 'pre' or 'post', got {timing!r}")
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        for hook in tuple((hooks or {}).values()):
            self._call_hook(hook)

    def _call_hook(self, hook: Hook) -> None:
        if getattr(hook, "call_for_each_param", False):
            for param in self.target.params():
                hook(param.update_rule, param)
        else:
            hook(self)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load ``t``, ``epoch`` and every parameter's update-rule state (not
        the parameters themselves: serialize the link separately)."""
        self.t = int(serializer("t", self.t))
        self.epoch = int(serializer("epoch", self.epoch))
        for name, param in self.target.namedparams():
            rule = getattr(param, "update_rule", None)
            if rule is not None:
                child = serializer
                for part in _split_path(name):
                    child = child[part]
                rule.serialize(child)


class GradientMethod(Optimizer):
    """An optimizer that updates each parameter from its gradient with one
    ``UpdateRule`` per parameter (created by ``create_update_rule`` at ``setup``)."""

    # True for subclasses that override reallocate_cleared_grads (update() then
    # calls it instead of its own inline reallocation).
    _custom_reallocate: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._custom_reallocate = (
            cls.reallocate_cleared_grads is not GradientMethod.reallocate_cleared_grads)

    def __init__(self) -> None:
        super().__init__()
        self._hyperparam = self._new_hyperparam()
        self._use_cleargrads = True

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> Hyperparameter:
        """The optimizer's hyperparameter object (typed subclasses return theirs)."""
        return Hyperparameter(parent)

    @property
    def hyperparam(self) -> Hyperparameter:
        """The optimizer's hyperparameters: the parent of every rule's."""
        return self._hyperparam

    def setup(self, link: Link) -> Self:
        """Set the target and give every parameter a fresh update rule."""
        super().setup(link)
        for param in link.params():
            param.update_rule = self.create_update_rule()
        return self

    def create_update_rule(self) -> UpdateRule:
        """A new update rule whose hyperparameter's parent is ``self.hyperparam``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement create_update_rule")

    def reallocate_cleared_grads(self) -> None:
        """Give every initialized parameter whose gradient is ``None`` a zero gradient."""
        _reallocate(self.target.params(False))

    def call_hooks(self, timing: Literal["pre", "post"] = "pre") -> None:
        """Run the ``timing`` hooks, reallocating cleared gradients after each."""
        if timing not in ("pre", "post"):
            raise ValueError(f"call_hooks: timing must be 'pre' or 'post', got {timing!r}")
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        for hook in tuple((hooks or {}).values()):
            self._call_hook(hook)
            self.reallocate_cleared_grads()

    def update(self, lossfun: Callable[..., Variable] | None = None,
               *args: object, **kwds: object) -> None:
        """One optimization step.

        With ``lossfun``: compute ``loss = lossfun(*args, **kwds)``, clear the
        target's gradients, and backpropagate; without it the gradients must have
        been computed already (clear them yourself before the backward pass).
        Then run the hooks and every parameter's update rule (see the module
        docstring for the exact order).
        """
        target = self.target
        if lossfun is not None:
            loss = lossfun(*args, **kwds)
            if self._use_cleargrads:
                target.cleargrads()
            else:
                target.zerograds()
            loss.backward()
            del loss

        params = target._param_list()
        if self._pre_update_hooks or _rule_hooks_added[0] or self._custom_reallocate:
            self._update_in_steps(params)
            return
        # Fast path, same result: with no hooks anywhere, reallocating each
        # parameter's gradient just before its update equals reallocating all of them
        # first, and nothing can clear a gradient during the updates.
        self.t += 1
        for param in params:
            if param._grad_var is None:
                data = param._data
                if data is not None:
                    param.grad = backend.namespace_of(data).zeros_like(data)
            rule = param.update_rule
            if rule is not None:
                rule.update(param)
        if self._post_update_hooks:
            self.call_hooks("post")

    def _update_in_steps(self, params: list[Parameter]) -> None:
        self.reallocate_cleared_grads()
        if self._pre_update_hooks:
            self.call_hooks("pre")
        self.t += 1
        for param in params:
            rule = param.update_rule
            if rule is not None:
                rule.update(param)
        self.reallocate_cleared_grads()
        if self._post_update_hooks:
            self.call_hooks("post")

    def use_cleargrads(self, use: bool = True) -> None:
        """Deprecated (Chainer v2): ``update(lossfun)`` clears gradients with
        ``cleargrads`` (``use=True``, the default) or ``zerograds``."""
        warnings.warn("GradientMethod.use_cleargrads is deprecated", DeprecationWarning, stacklevel=2)
        self._use_cleargrads = use

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Chainer's keys (``t``, ``epoch``, per-parameter state) plus the
        hyperparameters under ``__fchain__/hyperparam``."""
        super().serialize(serializer)
        _serialize_hyperparam(serializer, self._hyperparam, self._hyperparam.get_dict().items())


def _reallocate(params: Iterable[Parameter]) -> None:
    for param in params:
        if param.grad is None:
            data = param.data
            if data is not None:
                param.grad = backend.namespace_of(data).zeros_like(data)

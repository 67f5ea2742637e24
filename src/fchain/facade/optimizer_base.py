"""``Optimizer``: the base of all optimizers.

An optimizer has a target link (``setup``), the step and epoch counters ``t`` and
``epoch``, and hooks that run before (``'pre'``) or after (``'post'``) each update,
in registration order.  How the parameters are updated is the subclass's
(``fchain.facade.gradient_method.GradientMethod``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Literal, TypeVar, cast

from fchain.facade.link_base import Link
from fchain.facade.optim_hooks import Hook, Timing, check_timing, hook_name
from fchain.facade.optim_serialize import split_path
from fchain.facade.serializer import AbstractSerializer
from fchain.graph.variable import Variable

__all__ = ["LinkT", "Optimizer", "TargetT"]

if TYPE_CHECKING:
    from typing_extensions import TypeVar as _TypeVarWithDefault

    TargetT = _TypeVarWithDefault("TargetT", bound=Link, default=Link, covariant=True)
else:
    TargetT = TypeVar("TargetT", bound=Link, covariant=True)
"""The type of an optimizer's target link (``Link`` when not given)."""

LinkT = TypeVar("LinkT", bound=Link)
"""A link type bound by a call (``setup``'s typed result)."""


class Optimizer(Generic[TargetT]):
    """Base of all optimizers: a target link, step and epoch counters, and hooks.

    Generic in its target: ``optimizers.SGD().setup(model)`` is an
    ``SGD[type of model]``, whose ``target`` is the model, typed.  A bare
    ``Optimizer`` (``SGD``) has a ``Link`` target.

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
    def target(self) -> TargetT:
        """The link being optimized (set by ``setup``)."""
        target = self._target
        if target is None:
            raise RuntimeError(f"{type(self).__name__}: no target link; call setup(link) first")
        return cast(TargetT, target)  # setup(link) typed the optimizer by the link

    @target.setter
    def target(self, link: Link) -> None:
        self._target = link

    def setup(self, link: LinkT) -> Optimizer[LinkT]:
        """Set the target link and reset ``t``, ``epoch`` and the hooks; returns
        the optimizer, so ``opt = optimizers.SGD().setup(model)`` works.

        The result is this optimizer typed by the link (each optimizer class
        declares it with its own class: ``SGD().setup(model)`` is an
        ``SGD[type of model]``; a subclass of your own does the same to keep its
        class in the result)."""
        if not isinstance(link, Link):
            raise TypeError(
                f"{type(self).__name__}.setup: the optimization target must be a Link, "
                f"got {type(link).__name__}")
        self._target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks = {}
        self._post_update_hooks = {}
        return cast("Optimizer[LinkT]", self)  # the same optimizer, now targeting link

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
        check_timing(hook, timing, where)
        resolved: object = timing
        if timing == "auto":
            resolved = getattr(hook, "timing", None)
            if resolved not in ("pre", "post"):
                warnings.warn(f"{where}: the hook has no timing attribute of 'pre' or 'post'; "
                              "running it before the update ('pre')", stacklevel=2)
                resolved = "pre"
        key = hook_name(hook, name, where)
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
        for hook in self._hooks_at(timing):
            self._call_hook(hook)

    def _hooks_at(self, timing: object) -> tuple[Hook, ...]:
        """The ``'pre'`` or ``'post'`` hooks, in registration order."""
        if timing not in ("pre", "post"):
            raise ValueError(f"call_hooks: timing must be 'pre' or 'post', got {timing!r}")
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        return tuple((hooks or {}).values())

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
                for part in split_path(name):
                    child = child[part]
                rule.serialize(child)

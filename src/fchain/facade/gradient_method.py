"""``GradientMethod``: an optimizer that updates each parameter from its gradient
with the parameter's own ``UpdateRule``.

``update(lossfun=None, *args, **kwds)`` runs Chainer's order of operations:

1. with ``lossfun``: ``loss = lossfun(*args, **kwds)``, ``target.cleargrads()``
   (``zerograds()`` after ``use_cleargrads(False)``), ``loss.backward()``;
2. every initialized parameter without a gradient gets a zero gradient
   (``reallocate_cleared_grads``), so it is still updated (momentum, decay);
3. the ``'pre'`` hooks run in registration order (gradients reallocated after each);
4. ``t += 1``;
5. each parameter's ``UpdateRule.update`` (see ``fchain.facade.update_rule``);
6. gradients are reallocated again and the ``'post'`` hooks run.

The parameters are the target's, read again whenever the target's tree changed
(its structure version, ``fchain.facade.link_tree``); a parameter added after
``setup`` has no update rule and is left alone, as in Chainer, while one that was
removed is no longer updated.  Call ``setup`` again to give new parameters rules.

Without ``'pre'`` hooks, steps 2-5 run as one pass: each parameter's gradient is
reallocated just before its own update, which gives the same result because an
update rule without hooks touches no gradient.  A rule with hooks of its own (they
may touch any gradient) switches the rest of that pass to the order above.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Literal, cast

from fchain.core import backend
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.link_base import Link
from fchain.facade.optim_serialize import serialize_hyperparam
from fchain.facade.optimizer_base import LinkT, Optimizer, TargetT
from fchain.facade.serializer import AbstractSerializer
from fchain.facade.update_rule import UpdateRule
from fchain.graph.parameter import Parameter
from fchain.graph.variable import Variable

__all__ = ["GradientMethod"]


class GradientMethod(Optimizer[TargetT]):
    """An optimizer that updates each parameter from its gradient with one
    ``UpdateRule`` per parameter (created by ``create_update_rule`` at ``setup``)."""

    t: int

    # True for subclasses that override reallocate_cleared_grads (update() then
    # calls it instead of its own inline reallocation).
    _custom_reallocate: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._custom_reallocate = (
            cls.reallocate_cleared_grads is not GradientMethod.reallocate_cleared_grads)

    def __init__(self) -> None:
        super().__init__()
        self._hyperparam = self._new_hyperparam()
        self._use_cleargrads = True

    def _new_hyperparam(self) -> Hyperparameter:
        """The optimizer's hyperparameter object (typed subclasses return theirs)."""
        return Hyperparameter()

    @property
    def hyperparam(self) -> Hyperparameter:
        """The optimizer's hyperparameters: the parent of every rule's."""
        return self._hyperparam

    def setup(self, link: LinkT) -> GradientMethod[LinkT]:
        """Set the target and give every parameter a fresh update rule."""
        super().setup(link)
        for param in link.params():
            param.update_rule = self.create_update_rule()
        return cast("GradientMethod[LinkT]", self)  # the same optimizer, now targeting link

    def create_update_rule(self) -> UpdateRule:
        """A new update rule whose hyperparameter's parent is ``self.hyperparam``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement create_update_rule")

    def reallocate_cleared_grads(self) -> None:
        """Give every initialized parameter whose gradient is ``None`` a zero gradient."""
        _reallocate(self.target.params(False))

    def call_hooks(self, timing: Literal["pre", "post"] = "pre") -> None:
        """Run the ``timing`` hooks, reallocating cleared gradients after each."""
        for hook in self._hooks_at(timing):
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

        if self._pre_update_hooks or self._custom_reallocate:
            self.reallocate_cleared_grads()
            if self._pre_update_hooks:
                self.call_hooks("pre")
            self.t += 1
            self._update_all(target._param_list())
            return
        self.t += 1
        remaining = iter(target._param_list())
        for param in remaining:
            if param._grad_var is None:
                data = param._data
                if data is not None:
                    param.grad = backend.namespace_of(data).zeros_like(data)
            rule = param.update_rule
            if rule is not None and not (isinstance(rule, UpdateRule) and rule._fast_update(param)):
                # This rule's hooks (or a rule of another kind) may touch any gradient:
                # finish in Chainer's order.
                rest = [param, *remaining]
                _reallocate(rest)
                self._update_all(rest)
                return
        if self._post_update_hooks:
            self.call_hooks("post")

    def _update_all(self, params: Iterable[Parameter]) -> None:
        """Steps 5 and 6 of the module docstring."""
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
        serialize_hyperparam(serializer, self._hyperparam, self._hyperparam.get_dict().items())


def _reallocate(params: Iterable[Parameter]) -> None:
    for param in params:
        if param.grad is None:
            data = param.data
            if data is not None:
                param.grad = backend.namespace_of(data).zeros_like(data)

"""Momentum SGD: ``v = momentum * v - lr * grad; param += v``."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade.optimizer import Hyperparameter
from fchain.optimizers._momentum import MomentumHyperparameter, MomentumMethod, MomentumRule

__all__ = ["MomentumSGD", "MomentumSGDHyperparameter", "MomentumSGDRule"]


class MomentumSGDHyperparameter(MomentumHyperparameter):
    """Entries of MomentumSGD: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class MomentumSGDRule(MomentumRule):
    """Update rule of classical momentum SGD; state: ``v`` (the velocity).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    _numpy_rule = staticmethod(optim_rules.momentum_sgd)
    _kernel_name = "momentum_sgd"

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> MomentumSGDHyperparameter:
        return MomentumSGDHyperparameter(parent)

    @property
    def hyperparam(self) -> MomentumSGDHyperparameter:
        return cast(MomentumSGDHyperparameter, self._hyperparam)


class MomentumSGD(MomentumMethod):
    """Classical momentum SGD.

    ``v = momentum * v - lr * grad; param += v``.

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> MomentumSGDHyperparameter:
        return MomentumSGDHyperparameter(parent)

    @property
    def hyperparam(self) -> MomentumSGDHyperparameter:
        return cast(MomentumSGDHyperparameter, self._hyperparam)

    def create_update_rule(self) -> MomentumSGDRule:
        return MomentumSGDRule(self.hyperparam)

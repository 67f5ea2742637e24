"""Nesterov's accelerated gradient (Sutskever's formulation)."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade.optimizer import Hyperparameter
from fchain.optimizers._momentum import MomentumHyperparameter, MomentumMethod, MomentumRule

__all__ = ["NesterovAG", "NesterovAGHyperparameter", "NesterovAGRule"]


class NesterovAGHyperparameter(MomentumHyperparameter):
    """Entries of NesterovAG: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class NesterovAGRule(MomentumRule):
    """Update rule of Nesterov's accelerated gradient; state: ``v`` (the velocity).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    _numpy_rule = staticmethod(optim_rules.nesterov_ag)
    _kernel_name = "nesterov_ag"

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> NesterovAGHyperparameter:
        return NesterovAGHyperparameter(parent)

    @property
    def hyperparam(self) -> NesterovAGHyperparameter:
        return cast(NesterovAGHyperparameter, self._hyperparam)


class NesterovAG(MomentumMethod):
    """Nesterov's accelerated gradient.

    ``v = momentum * v - lr * grad;
    param += momentum**2 * v - (1 + momentum) * lr * grad``
    (http://arxiv.org/abs/1212.0901).

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> NesterovAGHyperparameter:
        return NesterovAGHyperparameter(parent)

    @property
    def hyperparam(self) -> NesterovAGHyperparameter:
        return cast(NesterovAGHyperparameter, self._hyperparam)

    def create_update_rule(self) -> NesterovAGRule:
        return NesterovAGRule(self.hyperparam)

"""Momentum SGD with the learning rate applied to the step: ``v = momentum * v - grad; param += lr * v``."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade.optimizer import Hyperparameter
from fchain.optimizers._momentum import MomentumHyperparameter, MomentumMethod, MomentumRule

__all__ = ["CorrectedMomentumSGD", "CorrectedMomentumSGDHyperparameter", "CorrectedMomentumSGDRule"]


class CorrectedMomentumSGDHyperparameter(MomentumHyperparameter):
    """Entries of CorrectedMomentumSGD: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class CorrectedMomentumSGDRule(MomentumRule):
    """Update rule of momentum SGD with corrected learning-rate scaling; state: ``v`` (the velocity).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    _numpy_rule = staticmethod(optim_rules.corrected_momentum_sgd)
    _kernel_name = "corrected_momentum_sgd"

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> CorrectedMomentumSGDHyperparameter:
        return CorrectedMomentumSGDHyperparameter(parent)

    @property
    def hyperparam(self) -> CorrectedMomentumSGDHyperparameter:
        return cast(CorrectedMomentumSGDHyperparameter, self._hyperparam)


class CorrectedMomentumSGD(MomentumMethod):
    """Momentum SGD with corrected learning-rate scaling.

    ``v = momentum * v - grad; param += lr * v``: unlike MomentumSGD, changing ``lr``
    rescales the whole velocity at once, as in Goyal et al., "Accurate, Large
    Minibatch SGD" (https://arxiv.org/abs/1706.02677).

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> CorrectedMomentumSGDHyperparameter:
        return CorrectedMomentumSGDHyperparameter(parent)

    @property
    def hyperparam(self) -> CorrectedMomentumSGDHyperparameter:
        return cast(CorrectedMomentumSGDHyperparameter, self._hyperparam)

    def create_update_rule(self) -> CorrectedMomentumSGDRule:
        return CorrectedMomentumSGDRule(self.hyperparam)

"""Momentum SGD with the learning rate applied to the step: ``v = momentum * v - grad; param += lr * v``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, Formula
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.optimizers._momentum import VELOCITY, MomentumFields, MomentumRule

__all__ = ["CorrectedMomentumSGD", "CorrectedMomentumSGDHyperparameter", "CorrectedMomentumSGDRule"]


class CorrectedMomentumSGDHyperparameter(Hyperparameter, MomentumFields, init=False):
    """Entries of CorrectedMomentumSGD: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class CorrectedMomentumSGDRule(MomentumRule[CorrectedMomentumSGDHyperparameter]):
    """Update rule of momentum SGD with corrected learning-rate scaling; state: ``v`` (the velocity)."""

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.corrected_momentum_sgd, kernel="corrected_momentum_sgd",
                      state=VELOCITY)


class CorrectedMomentumSGD(
        MomentumFields, DescribedMethod[CorrectedMomentumSGDHyperparameter, CorrectedMomentumSGDRule, TargetT]):
    """Momentum SGD with corrected learning-rate scaling.

    ``v = momentum * v - grad; param += lr * v``: unlike MomentumSGD, changing ``lr``
    rescales the whole velocity at once, as in Goyal et al., "Accurate, Large
    Minibatch SGD" (https://arxiv.org/abs/1706.02677).

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> CorrectedMomentumSGD[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

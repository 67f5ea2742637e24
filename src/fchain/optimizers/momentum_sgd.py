"""Momentum SGD: ``v = momentum * v - lr * grad; param += v``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, Formula
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.optimizers._momentum import VELOCITY, MomentumFields, MomentumRule

__all__ = ["MomentumSGD", "MomentumSGDHyperparameter", "MomentumSGDRule"]


class MomentumSGDHyperparameter(Hyperparameter, MomentumFields, init=False):
    """Entries of MomentumSGD: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class MomentumSGDRule(MomentumRule[MomentumSGDHyperparameter]):
    """Update rule of classical momentum SGD; state: ``v`` (the velocity)."""

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.momentum_sgd, kernel="momentum_sgd", state=VELOCITY)


class MomentumSGD(MomentumFields, DescribedMethod[MomentumSGDHyperparameter, MomentumSGDRule, TargetT]):
    """Classical momentum SGD.

    ``v = momentum * v - lr * grad; param += v``.

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> MomentumSGD[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

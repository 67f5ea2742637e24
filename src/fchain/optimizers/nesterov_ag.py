"""Nesterov's accelerated gradient (Sutskever's formulation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, Formula
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.optimizers._momentum import VELOCITY, MomentumFields, MomentumRule

__all__ = ["NesterovAG", "NesterovAGHyperparameter", "NesterovAGRule"]


class NesterovAGHyperparameter(Hyperparameter, MomentumFields, init=False):
    """Entries of NesterovAG: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""


class NesterovAGRule(MomentumRule[NesterovAGHyperparameter]):
    """Update rule of Nesterov's accelerated gradient; state: ``v`` (the velocity)."""

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.nesterov_ag, kernel="nesterov_ag", state=VELOCITY)


class NesterovAG(MomentumFields, DescribedMethod[NesterovAGHyperparameter, NesterovAGRule, TargetT]):
    """Nesterov's accelerated gradient.

    ``v = momentum * v - lr * grad;
    param += momentum**2 * v - (1 + momentum) * lr * grad``
    (http://arxiv.org/abs/1212.0901).

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> NesterovAG[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

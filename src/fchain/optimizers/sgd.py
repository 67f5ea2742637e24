"""Stochastic gradient descent: ``param -= lr * grad``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT

__all__ = ["SGD", "SGDHyperparameter", "SGDRule"]


class _SGDFields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 0.01


class SGDHyperparameter(Hyperparameter, _SGDFields, init=False):
    """Entries of SGD: ``lr`` (learning rate, default 0.01)."""


class SGDRule(DescribedRule[SGDHyperparameter]):
    """Update rule of vanilla stochastic gradient descent.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.sgd, kernel="sgd")

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None) -> None: ...


class SGD(_SGDFields, DescribedMethod[SGDHyperparameter, SGDRule, TargetT]):
    """Vanilla stochastic gradient descent.

    Args:
        lr: learning rate.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> SGD[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

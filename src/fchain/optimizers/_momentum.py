"""What MomentumSGD, CorrectedMomentumSGD and NesterovAG share (not public): the
hyperparameters ``lr`` (default 0.01) and ``momentum`` (default 0.9), and the typed
signature of their rules.  Each optimizer's module gives its own formula (all keep
one velocity ``v``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from fchain.facade.described_optimizer import DescribedRule, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields

__all__ = ["MomentumFields", "MomentumRule", "VELOCITY"]

_HP = TypeVar("_HP", bound=Hyperparameter)

VELOCITY = (StateArray("v"),)
"""The state of the three rules: the velocity ``v``."""


class MomentumFields(HyperparameterFields, kw_only=False, init=False):
    """``lr``: learning rate; ``momentum``: decay rate of the velocity."""

    lr: float = 0.01
    momentum: float = 0.9


class MomentumRule(DescribedRule[_HP]):
    """Base of the three rules.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, momentum: float | None = None) -> None: ...

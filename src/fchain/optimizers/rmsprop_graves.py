"""Alex Graves's RMSprop (http://arxiv.org/abs/1308.0850, eqs. 38-45)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT

__all__ = ["RMSpropGraves", "RMSpropGravesHyperparameter", "RMSpropGravesRule"]


class _RMSpropGravesFields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 1e-4
    alpha: float = 0.95
    momentum: float = 0.9
    eps: float = 1e-4


class RMSpropGravesHyperparameter(Hyperparameter, _RMSpropGravesFields, init=False):
    """Entries of RMSpropGraves: ``lr`` (default 1e-4), ``alpha`` (0.95),
    ``momentum`` (0.9) and ``eps`` (1e-4)."""


class RMSpropGravesRule(DescribedRule[RMSpropGravesHyperparameter]):
    """Update rule of Graves's RMSprop; state: ``n`` (mean square of the gradient),
    ``g`` (mean gradient) and ``delta`` (the momentum step).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate.
        alpha: decay rate of ``n`` and ``g``.
        momentum: decay rate of ``delta``.
        eps: small value added under the root.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.rmsprop_graves, kernel="rmsprop_graves",
                      state=(StateArray("n"), StateArray("g"), StateArray("delta")))

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, alpha: float | None = None,
                     momentum: float | None = None, eps: float | None = None) -> None: ...


class RMSpropGraves(_RMSpropGravesFields,
                    DescribedMethod[RMSpropGravesHyperparameter, RMSpropGravesRule, TargetT]):
    """Graves's RMSprop: ``delta = momentum * delta - lr * grad / sqrt(n - g**2 + eps);
    param += delta`` with running means ``n`` of ``grad**2`` and ``g`` of ``grad``.

    Args:
        lr: learning rate.
        alpha: decay rate of the running means of the gradient and its square.
        momentum: decay rate of the step.
        eps: small value for numerical stability.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> RMSpropGraves[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

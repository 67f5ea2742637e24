"""AdaGrad: ``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT

__all__ = ["AdaGrad", "AdaGradHyperparameter", "AdaGradRule"]


class _AdaGradFields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 0.001
    eps: float = 1e-8


class AdaGradHyperparameter(Hyperparameter, _AdaGradFields, init=False):
    """Entries of AdaGrad: ``lr`` (default 0.001) and ``eps`` (default 1e-8)."""


class AdaGradRule(DescribedRule[AdaGradHyperparameter]):
    """Update rule of AdaGrad; state: ``h`` (the sum of squared gradients).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        eps: small value added to the root, overriding the parent's.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.ada_grad, kernel="ada_grad", state=(StateArray("h"),))

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, eps: float | None = None) -> None: ...


class AdaGrad(_AdaGradFields, DescribedMethod[AdaGradHyperparameter, AdaGradRule, TargetT]):
    """AdaGrad (Duchi et al., http://jmlr.org/papers/v12/duchi11a.html).

    Args:
        lr: learning rate.
        eps: small value added to the root for numerical stability.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> AdaGrad[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

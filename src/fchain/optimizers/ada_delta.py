"""Zeiler's ADADELTA (http://www.matthewzeiler.com/pubs/googleTR2012/googleTR2012.pdf)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT

__all__ = ["AdaDelta", "AdaDeltaHyperparameter", "AdaDeltaRule"]


class _AdaDeltaFields(HyperparameterFields, kw_only=False, init=False):
    rho: float = 0.95
    eps: float = 1e-6


class AdaDeltaHyperparameter(Hyperparameter, _AdaDeltaFields, init=False):
    """Entries of AdaDelta: ``rho`` (default 0.95) and ``eps`` (default 1e-6)."""


class AdaDeltaRule(DescribedRule[AdaDeltaHyperparameter]):
    """Update rule of ADADELTA; state: ``msg`` (mean squared gradient) and ``msdx``
    (mean squared step).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        rho: decay rate of both running means, overriding the parent's.
        eps: small value for numerical stability, overriding the parent's.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.ada_delta, kernel="ada_delta",
                      state=(StateArray("msg"), StateArray("msdx")))

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     rho: float | None = None, eps: float | None = None) -> None: ...


class AdaDelta(_AdaDeltaFields, DescribedMethod[AdaDeltaHyperparameter, AdaDeltaRule, TargetT]):
    """Zeiler's ADADELTA: the step is ``sqrt((msdx + eps) / (msg + eps)) * grad``,
    with no learning rate.

    Args:
        rho: decay rate of the running means of squared gradients and steps.
        eps: small value for numerical stability.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> AdaDelta[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

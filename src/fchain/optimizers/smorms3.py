"""Simon Funk's SMORMS3 (http://sifter.org/~simon/journal/20150420.html)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT

__all__ = ["SMORMS3", "SMORMS3Hyperparameter", "SMORMS3Rule"]


class _SMORMS3Fields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 0.001
    eps: float = 1e-16


class SMORMS3Hyperparameter(Hyperparameter, _SMORMS3Fields, init=False):
    """Entries of SMORMS3: ``lr`` (default 0.001) and ``eps`` (default 1e-16)."""


class SMORMS3Rule(DescribedRule[SMORMS3Hyperparameter]):
    """Update rule of SMORMS3; state: ``mem`` (starts at 1), ``g`` and ``g2``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate (the cap of the per-element step factor).
        eps: small value for numerical stability.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.smorms3, kernel="smorms3",
                      state=(StateArray("mem", ones=True), StateArray("g"), StateArray("g2")))

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, eps: float | None = None) -> None: ...


class SMORMS3(_SMORMS3Fields, DescribedMethod[SMORMS3Hyperparameter, SMORMS3Rule, TargetT]):
    """Simon Funk's SMORMS3.

    Args:
        lr: learning rate.
        eps: small value for numerical stability.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> SMORMS3[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

"""What AdaGrad and SMORMS3 share (not public): the hyperparameters ``lr`` and
``eps`` and their plumbing.

Both optimizers take a learning rate and a stabilizing ``eps`` (with different
defaults), let a rule override either, and read them once per hyperparameter
change into ``_values = (lr, eps)``; that is written here once.  Each rule keeps its
own state and formula (``init_state``, ``update_core_cpu``, ``update_core_gpu``).
"""

from __future__ import annotations

from typing import ClassVar, cast

from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule

__all__ = ["LrEpsHyperparameter", "LrEpsMethod", "LrEpsRule", "lr_eps_defaults"]


class LrEpsHyperparameter(Hyperparameter):
    """Entries ``lr`` (learning rate) and ``eps`` (small value for numerical stability)."""

    lr: float
    eps: float


def lr_eps_defaults(lr: float, eps: float) -> LrEpsHyperparameter:
    """The hyperparameter a rule made without a parent falls back to."""
    hp = LrEpsHyperparameter()
    hp.lr = lr
    hp.eps = eps
    return hp


class LrEpsRule(UpdateRule):
    """An update rule with ``lr`` and ``eps``; subclasses set ``_default_hyperparam``
    (from ``lr_eps_defaults``) and implement the state and the update.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        eps: small value for numerical stability, overriding the parent's.
    """

    is_elementwise = True
    _default_hyperparam: ClassVar[LrEpsHyperparameter]

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, eps: float | None = None) -> None:
        super().__init__(self._default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        hp = self.hyperparam
        if lr is not None:
            hp.lr = lr
        if eps is not None:
            hp.eps = eps
        self._values = (0.0, 0.0)

    @property
    def hyperparam(self) -> LrEpsHyperparameter:
        return cast(LrEpsHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.eps))


class LrEpsMethod(GradientMethod):
    """A GradientMethod with the ``lr`` and ``eps`` hyperparameters (subclasses give
    the defaults in their ``__init__`` signature)."""

    def __init__(self, lr: float, eps: float) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.lr = lr
        hp.eps = eps

    lr = HyperparameterProxy[float]("lr")
    eps = HyperparameterProxy[float]("eps")

    @property
    def hyperparam(self) -> LrEpsHyperparameter:
        return cast(LrEpsHyperparameter, self._hyperparam)

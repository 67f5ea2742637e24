"""Simon Funk's SMORMS3 (http://sifter.org/~simon/journal/20150420.html)."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import Hyperparameter
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, ones_like_param, zeros_like_param
from fchain.optimizers._lr_eps import LrEpsHyperparameter, LrEpsMethod, LrEpsRule, lr_eps_defaults

__all__ = ["SMORMS3", "SMORMS3Hyperparameter", "SMORMS3Rule"]


class SMORMS3Hyperparameter(LrEpsHyperparameter):
    """Entries of SMORMS3: ``lr`` (default 0.001) and ``eps`` (default 1e-16)."""


class SMORMS3Rule(LrEpsRule):
    """Update rule of SMORMS3; state: ``mem`` (starts at 1), ``g`` and ``g2``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate (the cap of the per-element step factor).
        eps: small value for numerical stability.
    """

    _default_hyperparam = lr_eps_defaults(0.001, 1e-16)

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SMORMS3Hyperparameter:
        return SMORMS3Hyperparameter(parent)

    @property
    def hyperparam(self) -> SMORMS3Hyperparameter:
        return cast(SMORMS3Hyperparameter, self._hyperparam)

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["mem"] = ones_like_param(param)
        state["g"] = zeros_like_param(param)
        state["g2"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, eps = self._values
        optim_rules.smorms3(NUMPY, param.data, grad, state["mem"], state["g"], state["g2"],
                            lr, eps)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, eps = self._values
        optim_cuda.kernel("smorms3")(grad, lr, eps, param.data, state["mem"], state["g"],
                                     state["g2"])


class SMORMS3(LrEpsMethod):
    """Simon Funk's SMORMS3.

    Args:
        lr: learning rate.
        eps: small value for numerical stability.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SMORMS3Hyperparameter:
        return SMORMS3Hyperparameter(parent)

    def __init__(self, lr: float = 0.001, eps: float = 1e-16) -> None:
        super().__init__(lr, eps)

    @property
    def hyperparam(self) -> SMORMS3Hyperparameter:
        return cast(SMORMS3Hyperparameter, self._hyperparam)

    def create_update_rule(self) -> SMORMS3Rule:
        return SMORMS3Rule(self.hyperparam)

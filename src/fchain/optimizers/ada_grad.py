"""AdaGrad: ``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import Hyperparameter
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param
from fchain.optimizers._lr_eps import LrEpsHyperparameter, LrEpsMethod, LrEpsRule, lr_eps_defaults

__all__ = ["AdaGrad", "AdaGradHyperparameter", "AdaGradRule"]


class AdaGradHyperparameter(LrEpsHyperparameter):
    """Entries of AdaGrad: ``lr`` (default 0.001) and ``eps`` (default 1e-8)."""


class AdaGradRule(LrEpsRule):
    """Update rule of AdaGrad; state: ``h`` (the sum of squared gradients).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        eps: small value added to the root, overriding the parent's.
    """

    _default_hyperparam = lr_eps_defaults(0.001, 1e-8)

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdaGradHyperparameter:
        return AdaGradHyperparameter(parent)

    @property
    def hyperparam(self) -> AdaGradHyperparameter:
        return cast(AdaGradHyperparameter, self._hyperparam)

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["h"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, eps = self._values
        optim_rules.ada_grad(NUMPY, param.data, grad, state["h"], lr, eps)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, eps = self._values
        optim_cuda.kernel("ada_grad")(grad, lr, eps, param.data, state["h"])


class AdaGrad(LrEpsMethod):
    """AdaGrad (Duchi et al., http://jmlr.org/papers/v12/duchi11a.html).

    Args:
        lr: learning rate.
        eps: small value added to the root for numerical stability.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdaGradHyperparameter:
        return AdaGradHyperparameter(parent)

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__(lr, eps)

    @property
    def hyperparam(self) -> AdaGradHyperparameter:
        return cast(AdaGradHyperparameter, self._hyperparam)

    def create_update_rule(self) -> AdaGradRule:
        return AdaGradRule(self.hyperparam)

"""Alex Graves's RMSprop (http://arxiv.org/abs/1308.0850, eqs. 38-45)."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param

__all__ = ["RMSpropGraves", "RMSpropGravesHyperparameter", "RMSpropGravesRule"]


class RMSpropGravesHyperparameter(Hyperparameter):
    """Entries of RMSpropGraves: ``lr`` (default 1e-4), ``alpha`` (0.95),
    ``momentum`` (0.9) and ``eps`` (1e-4)."""

    lr: float
    alpha: float
    momentum: float
    eps: float


_default_hyperparam = RMSpropGravesHyperparameter()
_default_hyperparam.lr = 1e-4
_default_hyperparam.alpha = 0.95
_default_hyperparam.momentum = 0.9
_default_hyperparam.eps = 1e-4


class RMSpropGravesRule(UpdateRule):
    """Update rule of Graves's RMSprop; state: ``n`` (mean square of the gradient),
    ``g`` (mean gradient) and ``delta`` (the momentum step).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate.
        alpha: decay rate of ``n`` and ``g``.
        momentum: decay rate of ``delta``.
        eps: small value added under the root.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> RMSpropGravesHyperparameter:
        return RMSpropGravesHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 momentum: float | None = None, eps: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if alpha is not None:
            self.hyperparam.alpha = alpha
        if momentum is not None:
            self.hyperparam.momentum = momentum
        if eps is not None:
            self.hyperparam.eps = eps
        self._values = (0.0, 0.0, 0.0, 0.0)

    @property
    def hyperparam(self) -> RMSpropGravesHyperparameter:
        return cast(RMSpropGravesHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.alpha), float(hp.momentum), float(hp.eps))

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["n"] = zeros_like_param(param)
        state["g"] = zeros_like_param(param)
        state["delta"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, alpha, momentum, eps = self._values
        optim_rules.rmsprop_graves(NUMPY, param.data, grad, state["n"], state["g"],
                                   state["delta"], lr, alpha, momentum, eps)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, alpha, momentum, eps = self._values
        optim_cuda.kernel("rmsprop_graves")(grad, lr, alpha, momentum, eps, param.data,
                                            state["n"], state["g"], state["delta"])


class RMSpropGraves(GradientMethod):
    """Graves's RMSprop: ``delta = momentum * delta - lr * grad / sqrt(n - g**2 + eps);
    param += delta`` with running means ``n`` of ``grad**2`` and ``g`` of ``grad``.

    Args:
        lr: learning rate.
        alpha: decay rate of the running means of the gradient and its square.
        momentum: decay rate of the step.
        eps: small value for numerical stability.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> RMSpropGravesHyperparameter:
        return RMSpropGravesHyperparameter(parent)

    def __init__(self, lr: float = 1e-4, alpha: float = 0.95, momentum: float = 0.9,
                 eps: float = 1e-4) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.momentum = momentum
        self.hyperparam.eps = eps

    lr = HyperparameterProxy[float]("lr")
    alpha = HyperparameterProxy[float]("alpha")
    momentum = HyperparameterProxy[float]("momentum")
    eps = HyperparameterProxy[float]("eps")

    @property
    def hyperparam(self) -> RMSpropGravesHyperparameter:
        return cast(RMSpropGravesHyperparameter, self._hyperparam)

    def create_update_rule(self) -> RMSpropGravesRule:
        return RMSpropGravesRule(self.hyperparam)

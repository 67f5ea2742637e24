"""RMSprop (Tieleman and Hinton, COURSERA lecture 6.5)."""

from __future__ import annotations

from typing import Any, cast

import numpy

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, check_eps, zeros_like_param

__all__ = ["RMSprop", "RMSpropHyperparameter", "RMSpropRule"]


class RMSpropHyperparameter(Hyperparameter):
    """Entries of RMSprop: ``lr`` (default 0.01), ``alpha`` (0.99), ``eps`` (1e-8)
    and ``eps_inside_sqrt`` (False)."""

    lr: float
    alpha: float
    eps: float
    eps_inside_sqrt: bool


_default_hyperparam = RMSpropHyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.alpha = 0.99
_default_hyperparam.eps = 1e-8
_default_hyperparam.eps_inside_sqrt = False


class RMSpropRule(UpdateRule):
    """Update rule of RMSprop; state: ``ms`` (running mean of squared gradients).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate.
        alpha: decay rate of the mean square.
        eps: small value added to the root (inside it when ``eps_inside_sqrt``).
        eps_inside_sqrt: use ``sqrt(ms + eps)`` instead of ``sqrt(ms) + eps``.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> RMSpropHyperparameter:
        return RMSpropHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 eps: float | None = None, eps_inside_sqrt: bool | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if alpha is not None:
            self.hyperparam.alpha = alpha
        if eps is not None:
            self.hyperparam.eps = eps
        if eps_inside_sqrt is not None:
            self.hyperparam.eps_inside_sqrt = eps_inside_sqrt
        self._values = (0.0, 0.0, 0.0, False)
        self._checked: numpy.dtype[Any] | None = None

    @property
    def hyperparam(self) -> RMSpropHyperparameter:
        return cast(RMSpropHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.alpha), float(hp.eps), bool(hp.eps_inside_sqrt))
        self._checked = None

    def _check(self, dtype: numpy.dtype[Any]) -> None:
        if self._checked != dtype:
            check_eps("RMSprop", self._values[2], dtype)
            self._checked = dtype

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["ms"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        self._check(grad.dtype)
        lr, alpha, eps, inside = self._values
        optim_rules.rmsprop(NUMPY, param.data, grad, state["ms"], lr, alpha, eps, inside)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        self._check(grad.dtype)
        lr, alpha, eps, inside = self._values
        name = "rmsprop_eps_inside_sqrt" if inside else "rmsprop"
        optim_cuda.kernel(name)(grad, lr, alpha, eps, param.data, state["ms"])


class RMSprop(GradientMethod):
    """RMSprop: ``ms = alpha * ms + (1 - alpha) * grad**2;
    param -= lr * grad / (sqrt(ms) + eps)``.

    Args:
        lr: learning rate.
        alpha: decay rate of the mean square of the gradient.
        eps: small value for numerical stability.
        eps_inside_sqrt: add ``eps`` inside the square root (as TensorFlow does).
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> RMSpropHyperparameter:
        return RMSpropHyperparameter(parent)

    def __init__(self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 eps_inside_sqrt: bool = False) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps
        self.hyperparam.eps_inside_sqrt = eps_inside_sqrt

    lr = HyperparameterProxy[float]("lr")
    alpha = HyperparameterProxy[float]("alpha")
    eps = HyperparameterProxy[float]("eps")
    eps_inside_sqrt = HyperparameterProxy[bool]("eps_inside_sqrt")

    @property
    def hyperparam(self) -> RMSpropHyperparameter:
        return cast(RMSpropHyperparameter, self._hyperparam)

    def create_update_rule(self) -> RMSpropRule:
        return RMSpropRule(self.hyperparam)

"""Stochastic gradient descent: ``param -= lr * grad``."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY

__all__ = ["SGD", "SGDHyperparameter", "SGDRule"]

_sgd = optim_rules.sgd


class SGDHyperparameter(Hyperparameter):
    """Entries of SGD: ``lr`` (learning rate, default 0.01)."""

    lr: float


_default_hyperparam = SGDHyperparameter()
_default_hyperparam.lr = 0.01


class SGDRule(UpdateRule):
    """Update rule of vanilla stochastic gradient descent.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SGDHyperparameter:
        return SGDHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        self._lr = 0.0

    @property
    def hyperparam(self) -> SGDHyperparameter:
        return cast(SGDHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        self._lr = float(self.hyperparam.lr)

    def update_core_cpu(self, param: Variable) -> None:
        holder = param._grad_var  # ``param.grad``, read from its slot: every step runs this
        if holder is None:
            return
        data, grad = param._data, holder._data
        if data is not None and grad is not None:
            _sgd(NUMPY, data, grad, self._lr)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        optim_cuda.kernel("sgd")(grad, self._lr, param.data)


class SGD(GradientMethod):
    """Vanilla stochastic gradient descent.

    Args:
        lr: learning rate.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SGDHyperparameter:
        return SGDHyperparameter(parent)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.hyperparam.lr = lr

    lr = HyperparameterProxy[float]("lr")

    @property
    def hyperparam(self) -> SGDHyperparameter:
        return cast(SGDHyperparameter, self._hyperparam)

    def create_update_rule(self) -> SGDRule:
        return SGDRule(self.hyperparam)

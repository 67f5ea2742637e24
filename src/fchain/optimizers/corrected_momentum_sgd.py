"""Momentum SGD with the learning rate applied to the step: ``v = momentum * v - grad; param += lr * v``."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.facade.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param

__all__ = ["CorrectedMomentumSGD", "CorrectedMomentumSGDHyperparameter", "CorrectedMomentumSGDRule"]


class CorrectedMomentumSGDHyperparameter(Hyperparameter):
    """Entries of CorrectedMomentumSGD: ``lr`` (default 0.01) and ``momentum`` (default 0.9)."""

    lr: float
    momentum: float


_default_hyperparam = CorrectedMomentumSGDHyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class CorrectedMomentumSGDRule(UpdateRule):
    """Update rule of momentum SGD with corrected learning-rate scaling; state: ``v`` (the velocity).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> CorrectedMomentumSGDHyperparameter:
        return CorrectedMomentumSGDHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if momentum is not None:
            self.hyperparam.momentum = momentum
        self._values = (0.0, 0.0)

    @property
    def hyperparam(self) -> CorrectedMomentumSGDHyperparameter:
        return cast(CorrectedMomentumSGDHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.momentum))

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["v"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, momentum = self._values
        optim_rules.corrected_momentum_sgd(NUMPY, param.data, grad, state["v"], lr, momentum)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, momentum = self._values
        optim_cuda.kernel("corrected_momentum_sgd")(grad, lr, momentum, param.data, state["v"])


class CorrectedMomentumSGD(GradientMethod):
    """Momentum SGD with corrected learning-rate scaling.

    ``v = momentum * v - grad; param += lr * v``: unlike MomentumSGD, changing ``lr``
    rescales the whole velocity at once, as in Goyal et al., "Accurate, Large
    Minibatch SGD" (https://arxiv.org/abs/1706.02677).

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> CorrectedMomentumSGDHyperparameter:
        return CorrectedMomentumSGDHyperparameter(parent)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    lr = HyperparameterProxy[float]("lr")
    momentum = HyperparameterProxy[float]("momentum")

    @property
    def hyperparam(self) -> CorrectedMomentumSGDHyperparameter:
        return cast(CorrectedMomentumSGDHyperparameter, self._hyperparam)

    def create_update_rule(self) -> CorrectedMomentumSGDRule:
        return CorrectedMomentumSGDRule(self.hyperparam)

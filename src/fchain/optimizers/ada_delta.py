"""Zeiler's ADADELTA (http://www.matthewzeiler.com/pubs/googleTR2012/googleTR2012.pdf)."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param

__all__ = ["AdaDelta", "AdaDeltaHyperparameter", "AdaDeltaRule"]


class AdaDeltaHyperparameter(Hyperparameter):
    """Entries of AdaDelta: ``rho`` (default 0.95) and ``eps`` (default 1e-6)."""

    rho: float
    eps: float


_default_hyperparam = AdaDeltaHyperparameter()
_default_hyperparam.rho = 0.95
_default_hyperparam.eps = 1e-6


class AdaDeltaRule(UpdateRule):
    """Update rule of ADADELTA; state: ``msg`` (mean squared gradient) and ``msdx``
    (mean squared step).

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        rho: decay rate of both running means, overriding the parent's.
        eps: small value for numerical stability, overriding the parent's.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdaDeltaHyperparameter:
        return AdaDeltaHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 rho: float | None = None, eps: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if rho is not None:
            self.hyperparam.rho = rho
        if eps is not None:
            self.hyperparam.eps = eps
        self._values = (0.0, 0.0)

    @property
    def hyperparam(self) -> AdaDeltaHyperparameter:
        return cast(AdaDeltaHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.rho), float(hp.eps))

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["msg"] = zeros_like_param(param)
        state["msdx"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        rho, eps = self._values
        optim_rules.ada_delta(NUMPY, param.data, grad, state["msg"], state["msdx"], rho, eps)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        rho, eps = self._values
        optim_cuda.kernel("ada_delta")(grad, rho, eps, param.data, state["msg"], state["msdx"])


class AdaDelta(GradientMethod):
    """Zeiler's ADADELTA: the step is ``sqrt((msdx + eps) / (msg + eps)) * grad``,
    with no learning rate.

    Args:
        rho: decay rate of the running means of squared gradients and steps.
        eps: small value for numerical stability.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdaDeltaHyperparameter:
        return AdaDeltaHyperparameter(parent)

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__()
        self.hyperparam.rho = rho
        self.hyperparam.eps = eps

    rho = HyperparameterProxy[float]("rho")
    eps = HyperparameterProxy[float]("eps")

    @property
    def hyperparam(self) -> AdaDeltaHyperparameter:
        return cast(AdaDeltaHyperparameter, self._hyperparam)

    def create_update_rule(self) -> AdaDeltaRule:
        return AdaDeltaRule(self.hyperparam)

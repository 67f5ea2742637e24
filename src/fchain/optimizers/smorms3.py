"""Simon Funk's SMORMS3 (http://sifter.org/~simon/journal/20150420.html)."""

from __future__ import annotations

from typing import cast

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.facade.variable import Variable
from fchain.optimizers._common import NUMPY, ones_like_param, zeros_like_param

__all__ = ["SMORMS3", "SMORMS3Hyperparameter", "SMORMS3Rule"]


class SMORMS3Hyperparameter(Hyperparameter):
    """Entries of SMORMS3: ``lr`` (default 0.001) and ``eps`` (default 1e-16)."""

    lr: float
    eps: float


_default_hyperparam = SMORMS3Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-16


class SMORMS3Rule(UpdateRule):
    """Update rule of SMORMS3; state: ``mem`` (starts at 1), ``g`` and ``g2``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate (the cap of the per-element step factor).
        eps: small value for numerical stability.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SMORMS3Hyperparameter:
        return SMORMS3Hyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, eps: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if eps is not None:
            self.hyperparam.eps = eps
        self._values = (0.0, 0.0)

    @property
    def hyperparam(self) -> SMORMS3Hyperparameter:
        return cast(SMORMS3Hyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.eps))

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


class SMORMS3(GradientMethod):
    """Simon Funk's SMORMS3.

    Args:
        lr: learning rate.
        eps: small value for numerical stability.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> SMORMS3Hyperparameter:
        return SMORMS3Hyperparameter(parent)

    def __init__(self, lr: float = 0.001, eps: float = 1e-16) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.eps = eps

    lr = HyperparameterProxy[float]("lr")
    eps = HyperparameterProxy[float]("eps")

    @property
    def hyperparam(self) -> SMORMS3Hyperparameter:
        return cast(SMORMS3Hyperparameter, self._hyperparam)

    def create_update_rule(self) -> SMORMS3Rule:
        return SMORMS3Rule(self.hyperparam)

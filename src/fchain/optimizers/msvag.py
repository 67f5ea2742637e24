"""M-SVAG (Balles and Hennig, "Dissecting Adam: The Sign, Magnitude and Variance of
Stochastic Gradients", https://arxiv.org/abs/1705.07774), with decoupled weight
decay and the schedule multiplier ``eta``."""

from __future__ import annotations

from typing import cast

import numpy

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param

__all__ = ["MSVAG", "MSVAGHyperparameter", "MSVAGRule"]


class MSVAGHyperparameter(Hyperparameter):
    """Entries of MSVAG: ``lr`` (0.1), ``beta`` (0.9), ``eta`` (1.0) and
    ``weight_decay_rate`` (0)."""

    lr: float
    beta: float
    eta: float
    weight_decay_rate: float


_default_hyperparam = MSVAGHyperparameter()
_default_hyperparam.lr = 0.1
_default_hyperparam.beta = 0.9
_default_hyperparam.eta = 1.0
_default_hyperparam.weight_decay_rate = 0


class MSVAGRule(UpdateRule):
    """Update rule of M-SVAG; state: ``m`` and ``v``.

    Attributes:
        beta_power: ``beta ** t`` for the next update; it starts at ``beta`` and is
            multiplied by ``beta`` after every update that had a gradient.  Chainer
            does not save it; fchain saves it as ``__fchain__/beta_power`` so a
            resumed run continues where it stopped (a Chainer file restarts it).
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> MSVAGHyperparameter:
        return MSVAGHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, beta: float | None = None,
                 eta: float | None = None, weight_decay_rate: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        hp = self.hyperparam
        if lr is not None:
            hp.lr = lr
        if beta is not None:
            hp.beta = beta
        if eta is not None:
            hp.eta = eta
        if weight_decay_rate is not None:
            hp.weight_decay_rate = weight_decay_rate
        self.beta_power: float = float(hp.beta)
        self._values = (0.0, 0.0, 0.0, 0.0)

    @property
    def hyperparam(self) -> MSVAGHyperparameter:
        return cast(MSVAGHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.lr), float(hp.beta), float(hp.eta),
                            float(hp.weight_decay_rate))

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["m"] = zeros_like_param(param)
        state["v"] = zeros_like_param(param)

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, beta, eta, wdr = self._values
        with numpy.errstate(invalid="ignore", divide="ignore"):
            optim_rules.msvag(NUMPY, param.data, grad, state["m"], state["v"], lr, beta,
                              self.beta_power, eta, wdr)
        self.beta_power *= beta

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, beta, eta, wdr = self._values
        rho = optim_rules.msvag_rho(beta, self.beta_power)
        optim_cuda.kernel("msvag")(grad, lr, 1.0 - beta, eta, wdr, 1.0 - self.beta_power, rho,
                                   param.data, state["m"], state["v"])
        self.beta_power *= beta

    def serialize(self, serializer: AbstractSerializer) -> None:
        super().serialize(serializer)
        group = serializer["__fchain__"]
        if isinstance(serializer, Deserializer):
            try:
                value = group("beta_power", None)
            except KeyError:
                value = None
            if value is not None:
                self.beta_power = float(numpy.asarray(value))
        else:
            group("beta_power", self.beta_power)


class MSVAG(GradientMethod):
    """M-SVAG: Adam's moments with a variance-adapted factor in ``[0, 1]`` per
    element instead of Adam's division by the root of the second moment.

    Args:
        lr: learning rate.
        beta: decay rate of both moments.
        eta: schedule multiplier (for warm restarts).
        weight_decay_rate: decoupled weight decay rate.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> MSVAGHyperparameter:
        return MSVAGHyperparameter(parent)

    def __init__(self, lr: float = 0.1, beta: float = 0.9, eta: float = 1.0,
                 weight_decay_rate: float = 0) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.lr = lr
        hp.beta = beta
        hp.eta = eta
        hp.weight_decay_rate = weight_decay_rate

    lr = HyperparameterProxy[float]("lr")
    beta = HyperparameterProxy[float]("beta")
    eta = HyperparameterProxy[float]("eta")
    weight_decay_rate = HyperparameterProxy[float]("weight_decay_rate")

    @property
    def hyperparam(self) -> MSVAGHyperparameter:
        return cast(MSVAGHyperparameter, self._hyperparam)

    def create_update_rule(self) -> MSVAGRule:
        return MSVAGRule(self.hyperparam)

"""Adam and its variants AdamW, AMSGrad, AdaBound and AMSBound.

See Kingma and Ba, "Adam: A Method for Stochastic Optimization"
(https://arxiv.org/abs/1412.6980v8); Loshchilov and Hutter, "Fixing Weight Decay
Regularization in Adam" (decoupled ``weight_decay_rate`` and the schedule
multiplier ``eta``); Reddi et al., "On the Convergence of Adam and Beyond"
(``amsgrad``); Luo et al., "Adaptive Gradient Methods with Dynamic Bound of Learning
Rate" (``adabound``, ``final_lr``, ``gamma``).

The step uses the per-parameter ``t`` of each update rule:
``alpha_t = alpha * sqrt(1 - beta2**t) / (1 - beta1**t)`` and
``param = (1 - eta * weight_decay_rate) * param - eta * alpha_t * m / (sqrt(v) + eps)``,
where ``eps`` is added to the root of the *uncorrected* second moment, as Chainer
does.  ``eta`` multiplies the decoupled decay too (``1 - eta * weight_decay_rate``),
which is Chainer 7.8.1's formula on both the CPU and the GPU.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import numpy

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, check_eps, compute_dtype, zeros_like_param

__all__ = [
    "AMSBound",
    "AMSGrad",
    "AdaBound",
    "Adam",
    "AdamHyperparameter",
    "AdamRule",
    "AdamW",
]


class AdamHyperparameter(Hyperparameter):
    """Entries of Adam: ``alpha`` (0.001), ``beta1`` (0.9), ``beta2`` (0.999),
    ``eps`` (1e-8), ``eta`` (1.0), ``weight_decay_rate`` (0), ``amsgrad`` (False),
    ``adabound`` (False), ``final_lr`` (0.1) and ``gamma`` (1e-3)."""

    alpha: float
    beta1: float
    beta2: float
    eps: float
    eta: float
    weight_decay_rate: float
    amsgrad: bool
    adabound: bool
    final_lr: float
    gamma: float


_default_hyperparam = AdamHyperparameter()
_default_hyperparam.alpha = 0.001
_default_hyperparam.beta1 = 0.9
_default_hyperparam.beta2 = 0.999
_default_hyperparam.eps = 1e-8
_default_hyperparam.eta = 1.0
_default_hyperparam.weight_decay_rate = 0
_default_hyperparam.amsgrad = False
_default_hyperparam.adabound = False
_default_hyperparam.final_lr = 0.1
_default_hyperparam.gamma = 1e-3

_Values = tuple[float, float, float, float, float, float, bool, bool, float, float]


class AdamRule(UpdateRule):
    """Update rule of Adam; state: ``m``, ``v`` and, with ``amsgrad``, ``vhat``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        alpha, beta1, beta2, eps, eta, weight_decay_rate, amsgrad, adabound,
        final_lr, gamma: overrides of the parent's entries (see ``Adam``).

    Attributes:
        initial_alpha: ``alpha`` when the rule was made; AdaBound scales
            ``final_lr`` by ``alpha / initial_alpha`` so schedules on ``alpha``
            move its bounds too.
    """

    is_elementwise = True
    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdamHyperparameter:
        return AdamHyperparameter(parent)

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 alpha: float | None = None, beta1: float | None = None,
                 beta2: float | None = None, eps: float | None = None,
                 eta: float | None = None, weight_decay_rate: float | None = None,
                 amsgrad: bool | None = None, adabound: bool | None = None,
                 final_lr: float | None = None, gamma: float | None = None) -> None:
        super().__init__(_default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        hp = self.hyperparam
        if alpha is not None:
            hp.alpha = alpha
        if beta1 is not None:
            hp.beta1 = beta1
        if beta2 is not None:
            hp.beta2 = beta2
        if eps is not None:
            hp.eps = eps
        if eta is not None:
            hp.eta = eta
        if weight_decay_rate is not None:
            hp.weight_decay_rate = weight_decay_rate
        if amsgrad is not None:
            hp.amsgrad = amsgrad
        if adabound is not None:
            hp.adabound = adabound
        if final_lr is not None:
            hp.final_lr = final_lr
        if gamma is not None:
            hp.gamma = gamma
        self.initial_alpha: float = hp.alpha
        self._values: _Values = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False, False, 0.0, 0.0)
        self._checked: numpy.dtype[Any] | None = None

    @property
    def hyperparam(self) -> AdamHyperparameter:
        return cast(AdamHyperparameter, self._hyperparam)

    def _read_hyperparam(self) -> None:
        hp = self.hyperparam
        self._values = (float(hp.alpha), float(hp.beta1), float(hp.beta2), float(hp.eps),
                        float(hp.eta), float(hp.weight_decay_rate), bool(hp.amsgrad),
                        bool(hp.adabound), float(hp.final_lr), float(hp.gamma))
        self._checked = None

    def _check(self, dtype: numpy.dtype[Any]) -> None:
        if self._checked != dtype:
            check_eps("Adam", self._values[3], dtype)
            self._checked = dtype

    def init_state(self, param: Variable) -> None:
        state = self.state
        assert state is not None
        state["m"] = zeros_like_param(param)
        state["v"] = zeros_like_param(param)
        if self.hyperparam.amsgrad:
            state["vhat"] = zeros_like_param(param)

    @property
    def alpha_t(self) -> float:
        """The bias-corrected step size at this rule's step ``t``."""
        hp = self.hyperparam
        return optim_rules.adam_alpha_t(float(hp.alpha), float(hp.beta1), float(hp.beta2), self.t)

    @property
    def lr(self) -> float:
        """Deprecated alias of ``alpha_t`` (renamed in Chainer v6)."""
        warnings.warn("AdamRule.lr has been renamed to AdamRule.alpha_t", DeprecationWarning,
                      stacklevel=2)
        return self.alpha_t

    @property
    def bounds(self) -> tuple[float, float]:
        """AdaBound's ``(lower, upper)`` clipping range of the step at this step ``t``."""
        hp = self.hyperparam
        return optim_rules.adabound_bounds(float(hp.final_lr), float(hp.alpha),
                                           float(self.initial_alpha), float(hp.gamma), self.t)

    def _vhat(self, param: Variable, state: dict[str, Any]) -> Any:
        vhat = state.get("vhat")
        if vhat is None:  # amsgrad switched on after the state was made
            vhat = state["vhat"] = zeros_like_param(param)
        return vhat

    def update_core_cpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.data
        state = self._state
        assert state is not None
        dtype = compute_dtype(data.dtype)
        self._check(dtype)
        alpha, beta1, beta2, eps, eta, wdr, amsgrad, adabound, final_lr, gamma = self._values
        t = self.t
        alpha_t = optim_rules.adam_alpha_t(alpha, beta1, beta2, t)
        bounds = (optim_rules.adabound_bounds(final_lr, alpha, float(self.initial_alpha), gamma, t)
                  if adabound else None)
        vhat = self._vhat(param, state) if amsgrad else None
        optim_rules.adam(NUMPY, data, grad, state["m"], state["v"], vhat, alpha_t, beta1, beta2,
                         eps, eta, wdr, bounds, dtype)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.data
        state = self._state
        assert state is not None
        dtype = compute_dtype(data.dtype)
        self._check(dtype)
        alpha, beta1, beta2, eps, eta, wdr, amsgrad, adabound, final_lr, gamma = self._values
        t = self.t
        alpha_t = optim_rules.adam_alpha_t(alpha, beta1, beta2, t)
        lower, upper = (optim_rules.adabound_bounds(final_lr, alpha, float(self.initial_alpha),
                                                    gamma, t)
                        if adabound else (0.0, 0.0))
        kernel = optim_cuda.adam_kernel(amsgrad, adabound, dtype.name)
        arrays = [data, state["m"], state["v"]]
        if amsgrad:
            arrays.append(self._vhat(param, state))
        kernel(grad, alpha_t, 1.0 - beta1, 1.0 - beta2, eps, -eta, 1.0 - eta * wdr, lower, upper,
               *arrays)


class Adam(GradientMethod):
    """Adam, with decoupled weight decay (AdamW), AMSGrad and AdaBound options.

    With the defaults ``eta = 1`` and ``weight_decay_rate = 0`` this is plain Adam.
    ``amsgrad=True`` keeps the running maximum of ``v``; ``adabound=True`` clips the
    per-element step into bounds that converge to ``final_lr``; both together are
    AMSBound.

    Args:
        alpha: coefficient of the learning rate.
        beta1: decay rate of the first moment.
        beta2: decay rate of the second moment.
        eps: small value for numerical stability.
        eta: schedule multiplier (for warm restarts).
        weight_decay_rate: decoupled weight decay rate.
        amsgrad: use the AMSGrad variant.
        adabound: use the AdaBound variant.
        final_lr: the SGD learning rate AdaBound's bounds converge to.
        gamma: convergence speed of AdaBound's bounds.
    """

    @staticmethod
    def _new_hyperparam(parent: Hyperparameter | None = None) -> AdamHyperparameter:
        return AdamHyperparameter(parent)

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, eta: float = 1.0, weight_decay_rate: float = 0,
                 amsgrad: bool = False, adabound: bool = False, final_lr: float = 0.1,
                 gamma: float = 1e-3) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.alpha = alpha
        hp.beta1 = beta1
        hp.beta2 = beta2
        hp.eps = eps
        hp.eta = eta
        hp.weight_decay_rate = weight_decay_rate
        hp.amsgrad = amsgrad
        hp.adabound = adabound
        hp.final_lr = final_lr
        hp.gamma = gamma

    alpha = HyperparameterProxy[float]("alpha")
    beta1 = HyperparameterProxy[float]("beta1")
    beta2 = HyperparameterProxy[float]("beta2")
    eps = HyperparameterProxy[float]("eps")
    eta = HyperparameterProxy[float]("eta")
    weight_decay_rate = HyperparameterProxy[float]("weight_decay_rate")
    amsgrad = HyperparameterProxy[bool]("amsgrad")
    adabound = HyperparameterProxy[bool]("adabound")
    final_lr = HyperparameterProxy[float]("final_lr")
    gamma = HyperparameterProxy[float]("gamma")

    @property
    def hyperparam(self) -> AdamHyperparameter:
        return cast(AdamHyperparameter, self._hyperparam)

    def create_update_rule(self) -> AdamRule:
        return AdamRule(self.hyperparam)

    @property
    def alpha_t(self) -> float:
        """The bias-corrected step size at the optimizer's step ``t``."""
        hp = self.hyperparam
        return optim_rules.adam_alpha_t(float(hp.alpha), float(hp.beta1), float(hp.beta2), self.t)

    @property
    def lr(self) -> float:
        """Deprecated alias of ``alpha_t`` (renamed in Chainer v6)."""
        warnings.warn("Adam.lr has been renamed to Adam.alpha_t", DeprecationWarning, stacklevel=2)
        return self.alpha_t


class AdamW(Adam):
    """Adam with decoupled weight decay: ``Adam(..., weight_decay_rate=...)``."""

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, eta: float = 1.0, weight_decay_rate: float = 0) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         weight_decay_rate=weight_decay_rate)


class AMSGrad(Adam):
    """Adam with ``amsgrad=True``."""

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, eta: float = 1.0) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta, amsgrad=True)


class AdaBound(Adam):
    """Adam with ``adabound=True`` (note the argument order: ``final_lr`` and
    ``gamma`` come before ``eps``, as in Chainer)."""

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 final_lr: float = 0.1, gamma: float = 1e-3, eps: float = 1e-8,
                 eta: float = 1.0) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=False, adabound=True, final_lr=final_lr, gamma=gamma)


class AMSBound(Adam):
    """Adam with ``amsgrad=True`` and ``adabound=True``."""

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 final_lr: float = 0.1, gamma: float = 1e-3, eps: float = 1e-8,
                 eta: float = 1.0) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=True, adabound=True, final_lr=final_lr, gamma=gamma)

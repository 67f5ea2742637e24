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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy

from fchain.core import optim_rules
from fchain.facade import optim_cuda
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.types import DType

__all__ = [
    "AMSBound",
    "AMSGrad",
    "AdaBound",
    "Adam",
    "AdamHyperparameter",
    "AdamRule",
    "AdamW",
]


class _AdamFields(HyperparameterFields, kw_only=False, init=False):
    alpha: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    eta: float = 1.0
    weight_decay_rate: float = 0
    amsgrad: bool = False
    adabound: bool = False
    final_lr: float = 0.1
    gamma: float = 1e-3


class AdamHyperparameter(Hyperparameter, _AdamFields, init=False):
    """Entries of Adam: ``alpha`` (0.001), ``beta1`` (0.9), ``beta2`` (0.999),
    ``eps`` (1e-8), ``eta`` (1.0), ``weight_decay_rate`` (0), ``amsgrad`` (False),
    ``adabound`` (False), ``final_lr`` (0.1) and ``gamma`` (1e-3)."""


# Adam computes in float32 for float16 parameters, else in the parameter's dtype.
_FLOAT16 = numpy.dtype(numpy.float16)
_FLOAT32 = numpy.dtype(numpy.float32)


class AdamRule(DescribedRule[AdamHyperparameter]):
    """Update rule of Adam; state: ``m``, ``v`` and, with ``amsgrad``, ``vhat``.

    The formula's scalars are the bias-corrected step size ``alpha_t`` at this
    rule's step ``t`` and, for AdaBound, the ``bounds`` of the step; on the GPU the
    kernel is chosen by variant and compute dtype.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        alpha, beta1, beta2, eps, eta, weight_decay_rate, amsgrad, adabound,
        final_lr, gamma: overrides of the parent's entries (see ``Adam``).

    Attributes:
        initial_alpha: ``alpha`` when the rule was made; AdaBound scales
            ``final_lr`` by ``alpha / initial_alpha`` so schedules on ``alpha``
            move its bounds too.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.adam,
                      state=(StateArray("m"), StateArray("v"), StateArray("vhat", when="amsgrad")))
    static_scalars = False

    initial_alpha: float

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     alpha: float | None = None, beta1: float | None = None,
                     beta2: float | None = None, eps: float | None = None,
                     eta: float | None = None, weight_decay_rate: float | None = None,
                     amsgrad: bool | None = None, adabound: bool | None = None,
                     final_lr: float | None = None, gamma: float | None = None) -> None: ...

    def _finish_init(self) -> None:
        self.initial_alpha = self.hyperparam.alpha

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

    def cpu_scalars(self, dtype: DType) -> tuple[float, float, float, float, float, float,
                                                            tuple[float, float] | None, DType]:
        """``alpha_t`` at this rule's step, ``beta1``, ``beta2``, ``eps``, ``eta``,
        ``weight_decay_rate``, AdaBound's bounds (or ``None``) and the compute dtype
        (``eps`` checked against it)."""
        alpha, beta1, beta2, eps, eta, weight_decay_rate, _, adabound, final_lr, gamma = self._values
        compute = _FLOAT32 if dtype == _FLOAT16 else dtype
        if compute is not self._eps_checked:
            self._check_eps("Adam", eps, compute)
        t = self.t
        bounds = (optim_rules.adabound_bounds(final_lr, alpha, float(self.initial_alpha), gamma, t)
                  if adabound else None)
        return (optim_rules.adam_alpha_t(alpha, beta1, beta2, t), beta1, beta2, eps, eta,
                weight_decay_rate, bounds, compute)

    def gpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        alpha_t, beta1, beta2, eps, eta, weight_decay_rate, bounds, _ = self.cpu_scalars(dtype)
        lower, upper = (0.0, 0.0) if bounds is None else bounds
        return (alpha_t, 1.0 - beta1, 1.0 - beta2, eps, -eta, 1.0 - eta * weight_decay_rate,
                lower, upper)

    def gpu_kernel(self, dtype: DType) -> Callable[..., object]:
        amsgrad, adabound = self._values[6:8]
        compute = _FLOAT32 if dtype == _FLOAT16 else dtype
        return optim_cuda.adam_kernel(amsgrad, adabound, compute.name)


class Adam(_AdamFields, DescribedMethod[AdamHyperparameter, AdamRule, TargetT]):
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

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> Adam[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

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

"""RMSprop (Tieleman and Hinton, COURSERA lecture 6.5)."""

from __future__ import annotations

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

__all__ = ["RMSprop", "RMSpropHyperparameter", "RMSpropRule"]


class _RMSpropFields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 0.01
    alpha: float = 0.99
    eps: float = 1e-8
    eps_inside_sqrt: bool = False


class RMSpropHyperparameter(Hyperparameter, _RMSpropFields, init=False):
    """Entries of RMSprop: ``lr`` (default 0.01), ``alpha`` (0.99), ``eps`` (1e-8)
    and ``eps_inside_sqrt`` (False)."""


class RMSpropRule(DescribedRule[RMSpropHyperparameter]):
    """Update rule of RMSprop; state: ``ms`` (running mean of squared gradients).

    The CPU rule takes all four hyperparameters; on the GPU ``eps_inside_sqrt``
    picks the kernel instead.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr: learning rate.
        alpha: decay rate of the mean square.
        eps: small value added to the root (inside it when ``eps_inside_sqrt``).
        eps_inside_sqrt: use ``sqrt(ms + eps)`` instead of ``sqrt(ms) + eps``.
    """

    formula: ClassVar[Formula] = Formula(cpu=optim_rules.rmsprop, state=(StateArray("ms"),))

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, alpha: float | None = None,
                     eps: float | None = None, eps_inside_sqrt: bool | None = None) -> None: ...

    def cpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        lr, alpha, eps, eps_inside_sqrt = self._values
        self._check_eps("RMSprop", eps, dtype)
        return lr, alpha, eps, eps_inside_sqrt

    def gpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        lr, alpha, eps, _ = self.cpu_scalars(dtype)
        return lr, alpha, eps

    def gpu_kernel(self, dtype: DType) -> Callable[..., object]:
        eps_inside_sqrt = self._values[3]
        return optim_cuda.kernel("rmsprop_eps_inside_sqrt" if eps_inside_sqrt else "rmsprop")


class RMSprop(_RMSpropFields, DescribedMethod[RMSpropHyperparameter, RMSpropRule, TargetT]):
    """RMSprop: ``ms = alpha * ms + (1 - alpha) * grad**2;
    param -= lr * grad / (sqrt(ms) + eps)``.

    Args:
        lr: learning rate.
        alpha: decay rate of the mean square of the gradient.
        eps: small value for numerical stability.
        eps_inside_sqrt: add ``eps`` inside the square root (as TensorFlow does).
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> RMSprop[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

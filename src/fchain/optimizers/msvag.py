"""M-SVAG (Balles and Hennig, "Dissecting Adam: The Sign, Magnitude and Variance of
Stochastic Gradients", https://arxiv.org/abs/1705.07774), with decoupled weight
decay and the schedule multiplier ``eta``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy

from fchain.core import optim_rules
from fchain.facade.described_optimizer import DescribedMethod, DescribedRule, Formula, StateArray
from fchain.facade.hyperparameter import Hyperparameter
from fchain.facade.hyperparameter_fields import HyperparameterFields
from fchain.facade.optimizer_base import LinkT, TargetT
from fchain.facade.serializer import AbstractSerializer, Deserializer
from fchain.types import Array, ArrayNamespace, DType

__all__ = ["MSVAG", "MSVAGHyperparameter", "MSVAGRule"]


class _MSVAGFields(HyperparameterFields, kw_only=False, init=False):
    lr: float = 0.1
    beta: float = 0.9
    eta: float = 1.0
    weight_decay_rate: float = 0


class MSVAGHyperparameter(Hyperparameter, _MSVAGFields, init=False):
    """Entries of MSVAG: ``lr`` (0.1), ``beta`` (0.9), ``eta`` (1.0) and
    ``weight_decay_rate`` (0)."""


def _msvag_cpu(xp: ArrayNamespace, param: Array, grad: Array, m: Array, v: Array, lr: float,
               beta: float, beta_power: float, eta: float, weight_decay_rate: float) -> None:
    """``optim_rules.msvag`` with numpy's warnings about its 0/0 elements silenced
    (they are given factor 0)."""
    with numpy.errstate(invalid="ignore", divide="ignore"):
        optim_rules.msvag(xp, param, grad, m, v, lr, beta, beta_power, eta, weight_decay_rate)


class MSVAGRule(DescribedRule[MSVAGHyperparameter]):
    """Update rule of M-SVAG; state: ``m`` and ``v``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults when None).
        lr, beta, eta, weight_decay_rate: overrides of the parent's entries (see ``MSVAG``).

    Attributes:
        beta_power: ``beta ** t`` for the next update; it starts at ``beta`` and is
            multiplied by ``beta`` after every update that had a gradient.  Chainer
            does not save it; fchain saves it as ``__fchain__/beta_power`` so a
            resumed run continues where it stopped (a Chainer file restarts it).
    """

    formula: ClassVar[Formula] = Formula(cpu=_msvag_cpu, kernel="msvag", state=(StateArray("m"), StateArray("v")))
    static_scalars = False

    beta_power: float

    if TYPE_CHECKING:
        def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                     lr: float | None = None, beta: float | None = None,
                     eta: float | None = None, weight_decay_rate: float | None = None) -> None: ...

    def _finish_init(self) -> None:
        self.beta_power = float(self.hyperparam.beta)

    def cpu_scalars(self, dtype: DType) -> tuple[float, float, float, float, float]:
        """``lr``, ``beta``, this step's ``beta_power`` (the next one's is ``beta``
        times it), ``eta`` and ``weight_decay_rate``."""
        lr, beta, eta, weight_decay_rate = self._values
        beta_power = self.beta_power
        self.beta_power = beta_power * beta
        return lr, beta, beta_power, eta, weight_decay_rate

    def gpu_scalars(self, dtype: DType) -> tuple[object, ...]:
        lr, beta, beta_power, eta, weight_decay_rate = self.cpu_scalars(dtype)
        rho = optim_rules.msvag_rho(beta, beta_power)
        return lr, 1.0 - beta, eta, weight_decay_rate, 1.0 - beta_power, rho

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


class MSVAG(_MSVAGFields, DescribedMethod[MSVAGHyperparameter, MSVAGRule, TargetT]):
    """M-SVAG: Adam's moments with a variance-adapted factor in ``[0, 1]`` per
    element instead of Adam's division by the root of the second moment.

    Args:
        lr: learning rate.
        beta: decay rate of both moments.
        eta: schedule multiplier (for warm restarts).
        weight_decay_rate: decoupled weight decay rate.
    """

    if TYPE_CHECKING:
        def setup(self, link: LinkT) -> MSVAG[LinkT]:
            """Set the target link; returns this optimizer, typed by the link."""
            ...

"""What MomentumSGD, CorrectedMomentumSGD and NesterovAG share (not public).

The three optimizers have the same hyperparameters (``lr``, default 0.01, and
``momentum``, default 0.9), the same state (one velocity ``v``) and the same update
plumbing; only the formula differs.  A rule class names its formula twice, as the
numpy function of ``fchain.core.optim_rules`` (``_numpy_rule``) and as the CUDA
kernel of ``fchain.facade.optim_cuda`` (``_kernel_name``), and everything else is
written here once.
"""

from __future__ import annotations

from typing import ClassVar, cast

from fchain.facade import optim_cuda
from fchain.facade.optimizer import GradientMethod, Hyperparameter, HyperparameterProxy, UpdateRule
from fchain.graph.variable import Variable
from fchain.optimizers._common import NUMPY, zeros_like_param
from fchain.types import Array, ArrayNamespace

__all__ = ["MomentumHyperparameter", "MomentumMethod", "MomentumRule"]


class MomentumHyperparameter(Hyperparameter):
    """Entries ``lr`` (learning rate) and ``momentum`` (decay rate of the velocity)."""

    lr: float
    momentum: float


def _defaults() -> MomentumHyperparameter:
    hp = MomentumHyperparameter()
    hp.lr = 0.01
    hp.momentum = 0.9
    return hp


class MomentumRule(UpdateRule):
    """An update rule with a velocity ``v``; subclasses set ``_numpy_rule`` (wrapped
    in ``staticmethod``) and ``_kernel_name``.

    Args:
        parent_hyperparam: the hyperparameter to fall back to (the defaults, lr=0.01
            and momentum=0.9, when None).
        lr: learning rate, overriding the parent's.
        momentum: decay rate of the velocity, overriding the parent's.
    """

    is_elementwise = True
    _kernel_name: ClassVar[str]
    _default_hyperparam: ClassVar[MomentumHyperparameter] = _defaults()

    @staticmethod
    def _numpy_rule(xp: ArrayNamespace, param: Array, grad: Array, v: Array, lr: float,
                    momentum: float) -> None:
        """The formula on numpy arrays: updates ``param`` and ``v`` in place."""
        raise NotImplementedError("a MomentumRule subclass sets _numpy_rule")

    def __init__(self, parent_hyperparam: Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(self._default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        hp = self.hyperparam
        if lr is not None:
            hp.lr = lr
        if momentum is not None:
            hp.momentum = momentum
        self._values = (0.0, 0.0)

    @property
    def hyperparam(self) -> MomentumHyperparameter:
        return cast(MomentumHyperparameter, self._hyperparam)

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
        self._numpy_rule(NUMPY, param.data, grad, state["v"], lr, momentum)

    def update_core_gpu(self, param: Variable) -> None:
        grad = param.grad
        if grad is None:
            return
        state = self._state
        assert state is not None
        lr, momentum = self._values
        optim_cuda.kernel(self._kernel_name)(grad, lr, momentum, param.data, state["v"])


class MomentumMethod(GradientMethod):
    """A GradientMethod with the ``lr`` and ``momentum`` hyperparameters.

    Args:
        lr: learning rate.
        momentum: decay rate of the velocity.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.lr = lr
        hp.momentum = momentum

    lr = HyperparameterProxy[float]("lr")
    momentum = HyperparameterProxy[float]("momentum")

    @property
    def hyperparam(self) -> MomentumHyperparameter:
        return cast(MomentumHyperparameter, self._hyperparam)


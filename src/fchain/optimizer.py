"""``fchain.optimizer``: Chainer's ``chainer.optimizer`` module.

The optimizer base classes, and the hooks under their old names
(``fchain.optimizer.WeightDecay(0.0005)``, as the tutorial writes it); they are the
same classes as in ``fchain.optimizer_hooks``.
"""

from __future__ import annotations

from fchain.facade.optimizer import GradientMethod as GradientMethod
from fchain.facade.optimizer import Hyperparameter as Hyperparameter
from fchain.facade.optimizer import HyperparameterProxy as HyperparameterProxy
from fchain.facade.optimizer import Optimizer as Optimizer
from fchain.facade.optimizer import UpdateRule as UpdateRule
from fchain.optimizer_hooks import GradientClipping as GradientClipping
from fchain.optimizer_hooks import GradientHardClipping as GradientHardClipping
from fchain.optimizer_hooks import GradientNoise as GradientNoise
from fchain.optimizer_hooks import Lasso as Lasso
from fchain.optimizer_hooks import WeightDecay as WeightDecay

__all__ = [
    "GradientClipping",
    "GradientHardClipping",
    "GradientMethod",
    "GradientNoise",
    "Hyperparameter",
    "HyperparameterProxy",
    "Lasso",
    "Optimizer",
    "UpdateRule",
    "WeightDecay",
]

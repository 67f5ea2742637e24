"""Chainer's optimizer machinery in one import: the stateful shell around the pure
update math of ``fchain.core.optim_rules``.

Each part has its own module:

* ``hyperparameter``: ``Hyperparameter`` (entries falling back to a parent's, with
  a version) and ``HyperparameterProxy`` (``optimizer.lr`` for
  ``optimizer.hyperparam.lr``);
* ``update_rule``: ``UpdateRule``, one per parameter: state, ``t``, hooks;
* ``optimizer_base``: ``Optimizer``: target, ``t``, ``epoch``, hooks,
  serialization;
* ``gradient_method``: ``GradientMethod``, whose ``update`` runs Chainer's order
  of operations (described there);
* ``optim_hooks`` (hook types and names) and ``optim_serialize`` (the
  hyperparameters saved with the state, under ``__fchain__``);
* ``hyperparameter_fields`` and ``described_optimizer``: how each optimizer of
  ``fchain.optimizers`` is described once and run by one generic rule;
* ``optim_cuda``: the fused CuPy kernels.
"""

from __future__ import annotations

from fchain.facade.gradient_method import GradientMethod as GradientMethod
from fchain.facade.hyperparameter import Hyperparameter as Hyperparameter
from fchain.facade.hyperparameter import HyperparameterProxy as HyperparameterProxy
from fchain.facade.optim_hooks import Hook as Hook
from fchain.facade.optim_hooks import Timing as Timing
from fchain.facade.optimizer_base import Optimizer as Optimizer
from fchain.facade.update_rule import UpdateRule as UpdateRule

__all__ = [
    "GradientMethod",
    "Hook",
    "Hyperparameter",
    "HyperparameterProxy",
    "Optimizer",
    "Timing",
    "UpdateRule",
]

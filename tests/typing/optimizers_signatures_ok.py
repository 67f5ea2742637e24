"""The optimizers' signatures, from their declared hyperparameters, as ``mypy
--strict`` sees them (checked by the main mypy run; not collected by pytest)."""

from __future__ import annotations

from typing import assert_type

from fchain import optimizers
from fchain.optimizers.adam import AdamHyperparameter, AdamRule
from fchain.optimizers.momentum_sgd import MomentumSGDRule


def build() -> float:
    sgd = optimizers.SGD(0.1)  # positional, in Chainer's order
    momentum = optimizers.MomentumSGD(0.01, 0.9)
    adam = optimizers.AdaBound(0.001, 0.9, 0.999, 0.1, 1e-3)  # AdaBound's own order
    assert_type(sgd.lr, float)
    assert_type(momentum.hyperparam.momentum, float)
    assert_type(adam.hyperparam, AdamHyperparameter)
    rule = AdamRule(None, 0.01, amsgrad=True)
    assert_type(rule.hyperparam.amsgrad, bool)
    assert_type(rule.initial_alpha, float)
    assert_type(momentum.create_update_rule(), MomentumSGDRule)
    return sgd.lr + momentum.momentum + adam.alpha_t

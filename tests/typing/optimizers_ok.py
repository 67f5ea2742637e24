"""Optimizer code that ``mypy --strict`` must accept, with the types it must infer
(checked by the main mypy run; not collected by pytest)."""

from __future__ import annotations

from typing import assert_type

import fchain
from fchain import Chain, optimizer_hooks, optimizers
from fchain.facade.optimizer import Hyperparameter


def configure(model: Chain) -> float:
    opt = optimizers.Adam(alpha=1e-3, amsgrad=True).setup(model)
    assert_type(opt, optimizers.Adam[Chain])
    assert_type(optimizers.SGD().setup(model), optimizers.SGD[Chain])
    assert_type(opt.alpha, float)
    assert_type(opt.amsgrad, bool)
    opt.alpha = 2e-3
    opt.hyperparam.beta1 = 0.8
    opt.add_hook(optimizer_hooks.WeightDecay(1e-4))
    opt.add_hook(fchain.optimizer.GradientClipping(5.0), timing="post")
    rule = opt.create_update_rule()
    assert_type(rule.hyperparam.alpha, float)
    parent: Hyperparameter | None = rule.hyperparam.parent
    assert parent is not None
    opt.update()
    opt.new_epoch()
    return opt.alpha_t + float(opt.t + opt.epoch)

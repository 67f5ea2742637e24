"""Chainer 7's optimizer hooks (``chainer.optimizer_hooks``):
``optimizer.add_hook(optimizer_hooks.WeightDecay(5e-4))``."""

from __future__ import annotations

from fchain.optimizer_hooks.gradient_clipping import GradientClipping as GradientClipping
from fchain.optimizer_hooks.gradient_hard_clipping import GradientHardClipping as GradientHardClipping
from fchain.optimizer_hooks.gradient_lars import GradientLARS as GradientLARS
from fchain.optimizer_hooks.gradient_noise import GradientNoise as GradientNoise
from fchain.optimizer_hooks.lasso import Lasso as Lasso
from fchain.optimizer_hooks.weight_decay import WeightDecay as WeightDecay

__all__ = [
    "GradientClipping",
    "GradientHardClipping",
    "GradientLARS",
    "GradientNoise",
    "Lasso",
    "WeightDecay",
]

"""Chainer 7's optimizers (``chainer.optimizers``): ``optimizers.SGD()``,
``optimizers.Adam(alpha=1e-3)``, ... each a ``GradientMethod`` whose update rules
reproduce Chainer's update formulas."""

from __future__ import annotations

from fchain.optimizers.ada_delta import AdaDelta as AdaDelta
from fchain.optimizers.ada_grad import AdaGrad as AdaGrad
from fchain.optimizers.adam import AdaBound as AdaBound
from fchain.optimizers.adam import Adam as Adam
from fchain.optimizers.adam import AdamW as AdamW
from fchain.optimizers.adam import AMSBound as AMSBound
from fchain.optimizers.adam import AMSGrad as AMSGrad
from fchain.optimizers.corrected_momentum_sgd import CorrectedMomentumSGD as CorrectedMomentumSGD
from fchain.optimizers.momentum_sgd import MomentumSGD as MomentumSGD
from fchain.optimizers.msvag import MSVAG as MSVAG
from fchain.optimizers.nesterov_ag import NesterovAG as NesterovAG
from fchain.optimizers.rmsprop import RMSprop as RMSprop
from fchain.optimizers.rmsprop_graves import RMSpropGraves as RMSpropGraves
from fchain.optimizers.sgd import SGD as SGD
from fchain.optimizers.smorms3 import SMORMS3 as SMORMS3

__all__ = [
    "AMSBound",
    "AMSGrad",
    "AdaBound",
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "AdamW",
    "CorrectedMomentumSGD",
    "MSVAG",
    "MomentumSGD",
    "NesterovAG",
    "RMSprop",
    "RMSpropGraves",
    "SGD",
    "SMORMS3",
]

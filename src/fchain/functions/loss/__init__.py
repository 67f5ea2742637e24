"""``fchain.functions.loss``: Chainer's module paths of its loss functions
(``chainer.functions.loss.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.loss import absolute_error as absolute_error
from fchain.functions.loss import black_out as black_out
from fchain.functions.loss import contrastive as contrastive
from fchain.functions.loss import crf1d as crf1d
from fchain.functions.loss import ctc as ctc
from fchain.functions.loss import hinge as hinge
from fchain.functions.loss import huber_loss as huber_loss
from fchain.functions.loss import mean_absolute_error as mean_absolute_error
from fchain.functions.loss import mean_squared_error as mean_squared_error
from fchain.functions.loss import negative_sampling as negative_sampling
from fchain.functions.loss import sigmoid_cross_entropy as sigmoid_cross_entropy
from fchain.functions.loss import softmax_cross_entropy as softmax_cross_entropy
from fchain.functions.loss import squared_error as squared_error
from fchain.functions.loss import triplet as triplet

__all__ = [
    "absolute_error",
    "black_out",
    "contrastive",
    "crf1d",
    "ctc",
    "hinge",
    "huber_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "negative_sampling",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "squared_error",
    "triplet",
]

"""``fchain.functions.activation``: Chainer's module paths of its activation functions
(``chainer.functions.activation.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.activation import elu as elu
from fchain.functions.activation import leaky_relu as leaky_relu
from fchain.functions.activation import log_softmax as log_softmax
from fchain.functions.activation import relu as relu
from fchain.functions.activation import sigmoid as sigmoid
from fchain.functions.activation import softmax as softmax
from fchain.functions.activation import softplus as softplus
from fchain.functions.activation import tanh as tanh

__all__ = [
    "elu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]

"""``fchain.functions.activation``: Chainer's module paths of its activation functions
(``chainer.functions.activation.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.activation import clipped_relu as clipped_relu
from fchain.functions.activation import crelu as crelu
from fchain.functions.activation import elu as elu
from fchain.functions.activation import hard_sigmoid as hard_sigmoid
from fchain.functions.activation import leaky_relu as leaky_relu
from fchain.functions.activation import log_softmax as log_softmax
from fchain.functions.activation import maxout as maxout
from fchain.functions.activation import prelu as prelu
from fchain.functions.activation import relu as relu
from fchain.functions.activation import rrelu as rrelu
from fchain.functions.activation import selu as selu
from fchain.functions.activation import sigmoid as sigmoid
from fchain.functions.activation import softmax as softmax
from fchain.functions.activation import softplus as softplus
from fchain.functions.activation import swish as swish
from fchain.functions.activation import tanh as tanh

__all__ = [
    "clipped_relu",
    "crelu",
    "elu",
    "hard_sigmoid",
    "leaky_relu",
    "log_softmax",
    "maxout",
    "prelu",
    "relu",
    "rrelu",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "swish",
    "tanh",
]

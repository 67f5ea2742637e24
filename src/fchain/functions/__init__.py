"""``fchain.functions`` (``F``): every differentiable function, Chainer's names.

Importing it also installs ``Variable``'s operators and the second-order namespace
(see the end of this module).  Each function is implemented in its op module
(``fchain.ops.<category>.<op>``) and re-exported, explicitly (``from ... import f as
f``, so that ``mypy --strict`` users can import it), from the module where Chainer 7
keeps it: ``fchain.functions.activation.relu.relu``,
``fchain.functions.math.basic_math.add``, ``fchain.functions.math.average.average``
(which is ``F.mean``), ...  ``tests/ops/test_op_registry.py`` checks this list against
the op registry and the op modules, and ``tests/ops/test_chainer_module_paths.py``
each function's Chainer path.
"""

from __future__ import annotations

from fchain.graph.backprop import SecondOrder as _SecondOrder
from fchain.graph.backprop import install_second_order as _install_second_order

from fchain import _variable_methods
from fchain._second_order import DIFF as _DIFF

# --- activation ---------------------------------------------------------------
from fchain.functions.activation.elu import elu as elu
from fchain.functions.activation.leaky_relu import leaky_relu as leaky_relu
from fchain.functions.activation.log_softmax import log_softmax as log_softmax
from fchain.functions.activation.relu import relu as relu
from fchain.functions.activation.sigmoid import sigmoid as sigmoid
from fchain.functions.activation.softmax import softmax as softmax
from fchain.functions.activation.softplus import softplus as softplus
from fchain.functions.activation.tanh import tanh as tanh

# --- array --------------------------------------------------------------------
from fchain.functions.array.broadcast import broadcast_to as broadcast_to
from fchain.functions.array.cast import cast as cast
from fchain.functions.array.concat import concat as concat
from fchain.functions.array.copy import copy as copy
from fchain.functions.array.expand_dims import expand_dims as expand_dims
from fchain.functions.array.flatten import flatten as flatten
from fchain.functions.array.get_item import get_item as get_item
from fchain.functions.array.reshape import reshape as reshape
from fchain.functions.array.split_axis import split_axis as split_axis
from fchain.functions.array.squeeze import squeeze as squeeze
from fchain.functions.array.stack import stack as stack
from fchain.functions.array.transpose import transpose as transpose
from fchain.functions.array.where import where as where

# --- connection ---------------------------------------------------------------
from fchain.functions.connection.linear import linear as linear

# --- evaluation ---------------------------------------------------------------
from fchain.functions.evaluation.accuracy import accuracy as accuracy
from fchain.functions.evaluation.binary_accuracy import binary_accuracy as binary_accuracy

# --- loss ---------------------------------------------------------------------
from fchain.functions.loss.mean_absolute_error import mean_absolute_error as mean_absolute_error
from fchain.functions.loss.mean_squared_error import mean_squared_error as mean_squared_error
from fchain.functions.loss.sigmoid_cross_entropy import sigmoid_cross_entropy as sigmoid_cross_entropy
from fchain.functions.loss.softmax_cross_entropy import softmax_cross_entropy as softmax_cross_entropy

# --- math ---------------------------------------------------------------------
from fchain.functions.math.average import average as mean
from fchain.functions.math.basic_math import absolute as absolute
from fchain.functions.math.basic_math import add as add
from fchain.functions.math.basic_math import div as div
from fchain.functions.math.basic_math import mul as mul
from fchain.functions.math.basic_math import neg as neg
from fchain.functions.math.basic_math import pow as pow
from fchain.functions.math.basic_math import sub as sub
from fchain.functions.math.clip import clip as clip
from fchain.functions.math.exponential import exp as exp
from fchain.functions.math.exponential import log as log
from fchain.functions.math.identity import identity as identity
from fchain.functions.math.logarithm_1p import log1p as log1p
from fchain.functions.math.logsumexp import logsumexp as logsumexp
from fchain.functions.math.matmul import matmul as matmul
from fchain.functions.math.maximum import maximum as maximum
from fchain.functions.math.minimum import minimum as minimum
from fchain.functions.math.minmax import argmax as argmax
from fchain.functions.math.minmax import argmin as argmin
from fchain.functions.math.minmax import max as max
from fchain.functions.math.minmax import min as min
from fchain.functions.math.sqrt import sqrt as sqrt
from fchain.functions.math.square import square as square
from fchain.functions.math.sum import sum as sum
from fchain.functions.math.sum import sum_to as sum_to
from fchain.functions.math.trigonometric import cos as cos
from fchain.functions.math.trigonometric import sin as sin

# --- noise --------------------------------------------------------------------
from fchain.functions.noise.dropout import dropout as dropout

__all__ = [
    # activation
    "elu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
    # array
    "broadcast_to",
    "cast",
    "concat",
    "copy",
    "expand_dims",
    "flatten",
    "get_item",
    "identity",
    "reshape",
    "split_axis",
    "squeeze",
    "stack",
    "sum_to",
    "transpose",
    "where",
    # connection
    "linear",
    # evaluation
    "accuracy",
    "binary_accuracy",
    # loss
    "mean_absolute_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    # math
    "absolute",
    "add",
    "argmax",
    "argmin",
    "clip",
    "cos",
    "div",
    "exp",
    "log",
    "log1p",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "pow",
    "sin",
    "sqrt",
    "square",
    "sub",
    "sum",
    # noise
    "dropout",
]

# The layer that owns the functions gives Variable its operators and double backprop
# its namespace (fchain.graph cannot import the ops, which import it).
_variable_methods.install()
_install_second_order(_SecondOrder(_DIFF, sum_to))

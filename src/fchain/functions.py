"""``fchain.functions`` (``F``): every differentiable function, Chainer's names.

Importing it also installs ``Variable``'s operators and the second-order namespace
(see the end of this module).  Each name is re-exported from its op module (``from ... import f as f``) so that
``mypy --strict`` users can import it; ``tests/test_op_registry.py`` checks this list
against the op registry and the op modules.
"""

from __future__ import annotations

from fchain.graph.backprop import SecondOrder as _SecondOrder
from fchain.graph.backprop import install_second_order as _install_second_order

from fchain import _variable_methods
from fchain._second_order import DIFF as _DIFF

# --- activation ---------------------------------------------------------------
from fchain.ops.activation.elu import elu as elu
from fchain.ops.activation.leaky_relu import leaky_relu as leaky_relu
from fchain.ops.activation.log_softmax import log_softmax as log_softmax
from fchain.ops.activation.relu import relu as relu
from fchain.ops.activation.sigmoid import sigmoid as sigmoid
from fchain.ops.activation.softmax import softmax as softmax
from fchain.ops.activation.softplus import softplus as softplus
from fchain.ops.activation.tanh import tanh as tanh

# --- array ----------------------------------------------------------------------
from fchain.ops.array.broadcast_to import broadcast_to as broadcast_to
from fchain.ops.array.cast import cast as cast
from fchain.ops.array.concat import concat as concat
from fchain.ops.array.copy import copy as copy
from fchain.ops.array.expand_dims import expand_dims as expand_dims
from fchain.ops.array.flatten import flatten as flatten
from fchain.ops.array.get_item import get_item as get_item
from fchain.ops.array.identity import identity as identity
from fchain.ops.array.reshape import reshape as reshape
from fchain.ops.array.split_axis import split_axis as split_axis
from fchain.ops.array.squeeze import squeeze as squeeze
from fchain.ops.array.stack import stack as stack
from fchain.ops.array.sum_to import sum_to as sum_to
from fchain.ops.array.transpose import transpose as transpose
from fchain.ops.array.where import where as where

# --- array: im2col (issue 12) ----------------------------------------------------
from fchain.ops.array.im2col import im2col as im2col

# --- connection -----------------------------------------------------------------
from fchain.ops.connection.linear import linear as linear

# --- connection: convolution (issue 12) -------------------------------------------
from fchain.ops.connection.bilinear import bilinear as bilinear
from fchain.ops.connection.convolution_nd import convolution_1d as convolution_1d
from fchain.ops.connection.convolution_nd import convolution_2d as convolution_2d
from fchain.ops.connection.convolution_nd import convolution_3d as convolution_3d
from fchain.ops.connection.convolution_nd import convolution_nd as convolution_nd
from fchain.ops.connection.convolution_nd import depthwise_convolution_2d as depthwise_convolution_2d
from fchain.ops.connection.convolution_nd import dilated_convolution_2d as dilated_convolution_2d
from fchain.ops.connection.deconvolution_nd import deconvolution_1d as deconvolution_1d
from fchain.ops.connection.deconvolution_nd import deconvolution_2d as deconvolution_2d
from fchain.ops.connection.deconvolution_nd import deconvolution_3d as deconvolution_3d
from fchain.ops.connection.deconvolution_nd import deconvolution_nd as deconvolution_nd
from fchain.ops.connection.local_convolution_2d import local_convolution_2d as local_convolution_2d
from fchain.ops.connection.shift import shift as shift

# --- pooling (issue 12) --------------------------------------------------------------
from fchain.ops.pooling.average_pooling_nd import average_pooling_1d as average_pooling_1d
from fchain.ops.pooling.average_pooling_nd import average_pooling_2d as average_pooling_2d
from fchain.ops.pooling.average_pooling_nd import average_pooling_3d as average_pooling_3d
from fchain.ops.pooling.average_pooling_nd import average_pooling_nd as average_pooling_nd
from fchain.ops.pooling.max_pooling_nd import max_pooling_1d as max_pooling_1d
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d as max_pooling_2d
from fchain.ops.pooling.max_pooling_nd import max_pooling_3d as max_pooling_3d
from fchain.ops.pooling.max_pooling_nd import max_pooling_nd as max_pooling_nd
from fchain.ops.pooling.spatial_pyramid_pooling_2d import spatial_pyramid_pooling_2d as spatial_pyramid_pooling_2d
from fchain.ops.pooling.unpooling_nd import unpooling_1d as unpooling_1d
from fchain.ops.pooling.unpooling_nd import unpooling_2d as unpooling_2d
from fchain.ops.pooling.unpooling_nd import unpooling_3d as unpooling_3d
from fchain.ops.pooling.unpooling_nd import unpooling_nd as unpooling_nd
from fchain.ops.pooling.upsampling_2d import upsampling_2d as upsampling_2d

# --- evaluation -----------------------------------------------------------------
from fchain.ops.evaluation.accuracy import accuracy as accuracy
from fchain.ops.evaluation.binary_accuracy import binary_accuracy as binary_accuracy

# --- loss -----------------------------------------------------------------------
from fchain.ops.loss.mean_absolute_error import mean_absolute_error as mean_absolute_error
from fchain.ops.loss.mean_squared_error import mean_squared_error as mean_squared_error
from fchain.ops.loss.sigmoid_cross_entropy import sigmoid_cross_entropy as sigmoid_cross_entropy
from fchain.ops.loss.softmax_cross_entropy import softmax_cross_entropy as softmax_cross_entropy

# --- math -----------------------------------------------------------------------
from fchain.ops.math.absolute import absolute as absolute
from fchain.ops.math.add import add as add
from fchain.ops.math.argmax import argmax as argmax
from fchain.ops.math.argmin import argmin as argmin
from fchain.ops.math.clip import clip as clip
from fchain.ops.math.cos import cos as cos
from fchain.ops.math.div import div as div
from fchain.ops.math.exp import exp as exp
from fchain.ops.math.log import log as log
from fchain.ops.math.log1p import log1p as log1p
from fchain.ops.math.logsumexp import logsumexp as logsumexp
from fchain.ops.math.matmul import matmul as matmul
from fchain.ops.math.max import max as max
from fchain.ops.math.maximum import maximum as maximum
from fchain.ops.math.mean import mean as mean
from fchain.ops.math.min import min as min
from fchain.ops.math.minimum import minimum as minimum
from fchain.ops.math.mul import mul as mul
from fchain.ops.math.neg import neg as neg
from fchain.ops.math.pow import pow as pow
from fchain.ops.math.sin import sin as sin
from fchain.ops.math.sqrt import sqrt as sqrt
from fchain.ops.math.square import square as square
from fchain.ops.math.sub import sub as sub
from fchain.ops.math.sum import sum as sum

# --- noise ----------------------------------------------------------------------
from fchain.ops.noise.dropout import dropout as dropout

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
    # array: im2col (issue 12)
    "im2col",
    # connection
    "linear",
    # connection: convolution (issue 12)
    "bilinear",
    "convolution_1d",
    "convolution_2d",
    "convolution_3d",
    "convolution_nd",
    "deconvolution_1d",
    "deconvolution_2d",
    "deconvolution_3d",
    "deconvolution_nd",
    "depthwise_convolution_2d",
    "dilated_convolution_2d",
    "local_convolution_2d",
    "shift",
    # pooling (issue 12)
    "average_pooling_1d",
    "average_pooling_2d",
    "average_pooling_3d",
    "average_pooling_nd",
    "max_pooling_1d",
    "max_pooling_2d",
    "max_pooling_3d",
    "max_pooling_nd",
    "spatial_pyramid_pooling_2d",
    "unpooling_1d",
    "unpooling_2d",
    "unpooling_3d",
    "unpooling_nd",
    "upsampling_2d",
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

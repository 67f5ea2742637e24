"""``fchain.functions`` (``F``): every differentiable function, Chainer's names.

Importing it also installs ``Variable``'s operators and the second-order namespace
(see the end of this module).  Each function is implemented in its op module
(``fchain.ops.<category>.<op>``) and re-exported from it here, explicitly (``from
... import f as f``, so that ``mypy --strict`` users can import it), and again from
the module where Chainer 7 keeps it: ``fchain.functions.activation.relu.relu``,
``fchain.functions.math.basic_math.add``, ``fchain.functions.math.average.average``
(which is ``F.mean``), ...  ``tests/ops/test_op_registry.py`` checks this list against
the op registry and the op modules, and ``tests/ops/test_chainer_module_paths.py``
each function's Chainer path.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

from fchain.graph.backprop import SecondOrder as _SecondOrder
from fchain.graph.backprop import install_second_order as _install_second_order

from fchain import _variable_methods
from fchain._second_order import DIFF as _DIFF

# Chainer's category subpackages (``F.loss.softmax_cross_entropy``) hold only its
# module paths of the functions below: loaded on first access (``__getattr__`` at
# the end), as they are a twentieth of fchain's import time; mypy reads them here.
if TYPE_CHECKING:
    from fchain.functions import activation as activation
    from fchain.functions import array as array
    from fchain.functions import connection as connection
    from fchain.functions import evaluation as evaluation
    from fchain.functions import loss as loss
    from fchain.functions import math as math
    from fchain.functions import noise as noise
    from fchain.functions import pooling as pooling
    from fchain.functions import normalization as normalization
    from fchain.functions import rnn as rnn

# The functions, grouped by Chainer's categories.
# --- activation ---------------------------------------------------------------
from fchain.ops.activation.clipped_relu import clipped_relu as clipped_relu
from fchain.ops.activation.crelu import crelu as crelu
from fchain.ops.activation.elu import elu as elu
from fchain.ops.activation.hard_sigmoid import hard_sigmoid as hard_sigmoid
from fchain.ops.activation.leaky_relu import leaky_relu as leaky_relu
from fchain.ops.activation.log_softmax import log_softmax as log_softmax
from fchain.ops.activation.maxout import maxout as maxout
from fchain.ops.activation.prelu import prelu as prelu
from fchain.ops.activation.relu import relu as relu
from fchain.ops.activation.rrelu import rrelu as rrelu
from fchain.ops.activation.selu import selu as selu
from fchain.ops.activation.sigmoid import sigmoid as sigmoid
from fchain.ops.activation.softmax import softmax as softmax
from fchain.ops.activation.softplus import softplus as softplus
from fchain.ops.activation.swish import swish as swish
from fchain.ops.activation.tanh import tanh as tanh

# --- array ----------------------------------------------------------------------
from fchain.ops.array.broadcast_to import broadcast_to as broadcast_to
from fchain.ops.array.cast import cast as cast
from fchain.ops.array.concat import concat as concat
from fchain.ops.array.copy import copy as copy
from fchain.ops.array.depth2space import depth2space as depth2space
from fchain.ops.array.diagonal import diagonal as diagonal
from fchain.ops.array.dstack import dstack as dstack
from fchain.ops.array.expand_dims import expand_dims as expand_dims
from fchain.ops.array.flatten import flatten as flatten
from fchain.ops.array.flip import flip as flip
from fchain.ops.array.fliplr import fliplr as fliplr
from fchain.ops.array.flipud import flipud as flipud
from fchain.ops.array.get_item import get_item as get_item
from fchain.ops.array.im2col import im2col as im2col
from fchain.ops.array.hstack import hstack as hstack
from fchain.ops.array.moveaxis import moveaxis as moveaxis
from fchain.ops.array.pad import pad as pad
from fchain.ops.array.pad_sequence import pad_sequence as pad_sequence
from fchain.ops.array.permutate import permutate as permutate
from fchain.ops.array.repeat import repeat as repeat
from fchain.ops.array.reshape import reshape as reshape
from fchain.ops.array.resize_images import resize_images as resize_images
from fchain.ops.array.rollaxis import rollaxis as rollaxis
from fchain.ops.array.scatter_add import scatter_add as scatter_add
from fchain.ops.array.select_item import select_item as select_item
from fchain.ops.array.separate import separate as separate
from fchain.ops.array.space2depth import space2depth as space2depth
from fchain.ops.array.spatial_transformer_grid import spatial_transformer_grid as spatial_transformer_grid
from fchain.ops.array.spatial_transformer_sampler import spatial_transformer_sampler as spatial_transformer_sampler
from fchain.ops.array.split_axis import split_axis as split_axis
from fchain.ops.array.squeeze import squeeze as squeeze
from fchain.ops.array.stack import stack as stack
from fchain.ops.array.swapaxes import swapaxes as swapaxes
from fchain.ops.array.tile import tile as tile
from fchain.ops.array.transpose import transpose as transpose
from fchain.ops.array.transpose_sequence import transpose_sequence as transpose_sequence
from fchain.ops.array.vstack import vstack as vstack
from fchain.ops.array.where import where as where

# --- connection -----------------------------------------------------------------
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
from fchain.ops.connection.embed_id import embed_id as embed_id
from fchain.ops.connection.linear import linear as linear
from fchain.ops.connection.local_convolution_2d import local_convolution_2d as local_convolution_2d
from fchain.ops.connection.shift import shift as shift

# --- evaluation ---------------------------------------------------------------
from fchain.ops.evaluation.accuracy import accuracy as accuracy
from fchain.ops.evaluation.binary_accuracy import binary_accuracy as binary_accuracy

# --- loss ---------------------------------------------------------------------
from fchain.ops.loss.absolute_error import absolute_error as absolute_error
from fchain.ops.loss.argmax_crf1d import argmax_crf1d as argmax_crf1d
from fchain.ops.loss.black_out import black_out as black_out
from fchain.ops.loss.contrastive import contrastive as contrastive
from fchain.ops.loss.crf1d import crf1d as crf1d
from fchain.ops.loss.ctc import (
    connectionist_temporal_classification as connectionist_temporal_classification,
)
from fchain.ops.loss.hinge import hinge as hinge
from fchain.ops.loss.huber_loss import huber_loss as huber_loss
from fchain.ops.loss.mean_absolute_error import mean_absolute_error as mean_absolute_error
from fchain.ops.loss.mean_squared_error import mean_squared_error as mean_squared_error
from fchain.ops.loss.negative_sampling import negative_sampling as negative_sampling
from fchain.ops.loss.sigmoid_cross_entropy import sigmoid_cross_entropy as sigmoid_cross_entropy
from fchain.ops.loss.softmax_cross_entropy import softmax_cross_entropy as softmax_cross_entropy
from fchain.ops.loss.squared_error import squared_error as squared_error
from fchain.ops.loss.triplet import triplet as triplet

# --- math ---------------------------------------------------------------------
from fchain.ops.math.absolute import absolute as absolute
from fchain.ops.math.add import add as add
from fchain.ops.math.bias import bias as bias
from fchain.ops.math.argmax import argmax as argmax
from fchain.ops.math.argmin import argmin as argmin
from fchain.ops.math.clip import clip as clip
from fchain.ops.math.cos import cos as cos
from fchain.ops.math.div import div as div
from fchain.ops.math.exp import exp as exp
from fchain.ops.array.identity import identity as identity
from fchain.ops.math.log import log as log
from fchain.ops.math.log1p import log1p as log1p
from fchain.ops.math.logsumexp import logsumexp as logsumexp
from fchain.ops.math.matmul import matmul as matmul
from fchain.ops.math.max import max as max
from fchain.ops.math.maximum import maximum as maximum
from fchain.ops.math.mean import mean as mean
from fchain.ops.math.mean import mean as average  # Chainer 7: F.mean is F.average
from fchain.ops.math.min import min as min
from fchain.ops.math.minimum import minimum as minimum
from fchain.ops.math.linear_interpolate import linear_interpolate as linear_interpolate
from fchain.ops.math.mul import mul as mul
from fchain.ops.math.scale import scale as scale
from fchain.ops.math.neg import neg as neg
from fchain.ops.math.pow import pow as pow
from fchain.ops.math.sin import sin as sin
from fchain.ops.math.sqrt import sqrt as sqrt
from fchain.ops.math.square import square as square
from fchain.ops.math.sub import sub as sub
from fchain.ops.math.sum import sum as sum
from fchain.ops.array.sum_to import sum_to as sum_to

# --- pooling ------------------------------------------------------------------
from fchain.ops.pooling.average_pooling_nd import average_pooling_1d as average_pooling_1d
from fchain.ops.pooling.average_pooling_nd import average_pooling_2d as average_pooling_2d
from fchain.ops.pooling.average_pooling_nd import average_pooling_3d as average_pooling_3d
from fchain.ops.pooling.average_pooling_nd import average_pooling_nd as average_pooling_nd
from fchain.ops.pooling.max_pooling_nd import max_pooling_1d as max_pooling_1d
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d as max_pooling_2d
from fchain.ops.pooling.max_pooling_nd import max_pooling_3d as max_pooling_3d
from fchain.ops.pooling.max_pooling_nd import max_pooling_nd as max_pooling_nd
from fchain.ops.pooling.roi_average_align_2d import roi_average_align_2d as roi_average_align_2d
from fchain.ops.pooling.roi_average_pooling_2d import roi_average_pooling_2d as roi_average_pooling_2d
from fchain.ops.pooling.roi_max_align_2d import roi_max_align_2d as roi_max_align_2d
from fchain.ops.pooling.roi_max_pooling_2d import roi_max_pooling_2d as roi_max_pooling_2d
from fchain.ops.pooling.roi_pooling_2d import roi_pooling_2d as roi_pooling_2d
from fchain.ops.pooling.spatial_pyramid_pooling_2d import spatial_pyramid_pooling_2d as spatial_pyramid_pooling_2d
from fchain.ops.pooling.unpooling_nd import unpooling_1d as unpooling_1d
from fchain.ops.pooling.unpooling_nd import unpooling_2d as unpooling_2d
from fchain.ops.pooling.unpooling_nd import unpooling_3d as unpooling_3d
from fchain.ops.pooling.unpooling_nd import unpooling_nd as unpooling_nd
from fchain.ops.pooling.upsampling_2d import upsampling_2d as upsampling_2d

# --- noise --------------------------------------------------------------------
from fchain.ops.noise.dropout import dropout as dropout

# --- normalization --------------------------------------------------------------
from fchain.ops.normalization.batch_normalization import batch_normalization as batch_normalization
from fchain.ops.normalization.batch_renormalization import batch_renormalization as batch_renormalization
from fchain.ops.normalization.batch_renormalization import fixed_batch_renormalization as fixed_batch_renormalization
from fchain.ops.normalization.fixed_batch_normalization import fixed_batch_normalization as fixed_batch_normalization
from fchain.ops.normalization.group_normalization import group_normalization as group_normalization
from fchain.ops.normalization.layer_normalization import layer_normalization as layer_normalization
from fchain.ops.normalization.local_response_normalization import (
    local_response_normalization as local_response_normalization,
)
from fchain.ops.normalization.normalize import normalize as normalize

# --- rnn ------------------------------------------------------------------------
from fchain.ops.rnn.lstm import lstm as lstm
from fchain.ops.rnn.n_step_gru import n_step_bigru as n_step_bigru
from fchain.ops.rnn.n_step_gru import n_step_gru as n_step_gru
from fchain.ops.rnn.n_step_lstm import n_step_bilstm as n_step_bilstm
from fchain.ops.rnn.n_step_lstm import n_step_lstm as n_step_lstm
from fchain.ops.rnn.n_step_rnn import n_step_birnn as n_step_birnn
from fchain.ops.rnn.n_step_rnn import n_step_rnn as n_step_rnn
from fchain.ops.rnn.slstm import slstm as slstm
from fchain.ops.rnn.tree_lstm import tree_lstm as tree_lstm

__all__ = [
    # activation
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
    # array
    "broadcast_to",
    "cast",
    "concat",
    "copy",
    "depth2space",
    "diagonal",
    "dstack",
    "expand_dims",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "get_item",
    "hstack",
    "identity",
    "im2col",
    "moveaxis",
    "pad",
    "pad_sequence",
    "permutate",
    "repeat",
    "reshape",
    "resize_images",
    "rollaxis",
    "scatter_add",
    "select_item",
    "separate",
    "space2depth",
    "spatial_transformer_grid",
    "spatial_transformer_sampler",
    "split_axis",
    "squeeze",
    "stack",
    "sum_to",
    "swapaxes",
    "tile",
    "transpose",
    "transpose_sequence",
    "vstack",
    "where",
    # connection
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
    "embed_id",
    "linear",
    "local_convolution_2d",
    "shift",
    # evaluation
    "accuracy",
    "binary_accuracy",
    # loss
    "absolute_error",
    "argmax_crf1d",
    "black_out",
    "connectionist_temporal_classification",
    "contrastive",
    "crf1d",
    "hinge",
    "huber_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "negative_sampling",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "squared_error",
    "triplet",
    # math
    "absolute",
    "add",
    "average",
    "bias",
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
    "linear_interpolate",
    "mul",
    "scale",
    "neg",
    "pow",
    "sin",
    "sqrt",
    "square",
    "sub",
    "sum",
    # pooling
    "average_pooling_1d",
    "average_pooling_2d",
    "average_pooling_3d",
    "average_pooling_nd",
    "max_pooling_1d",
    "max_pooling_2d",
    "max_pooling_3d",
    "max_pooling_nd",
    "roi_average_align_2d",
    "roi_average_pooling_2d",
    "roi_max_align_2d",
    "roi_max_pooling_2d",
    "roi_pooling_2d",
    "spatial_pyramid_pooling_2d",
    "unpooling_1d",
    "unpooling_2d",
    "unpooling_3d",
    "unpooling_nd",
    "upsampling_2d",
    # noise
    "dropout",
    # normalization
    "batch_normalization",
    "batch_renormalization",
    "fixed_batch_normalization",
    "fixed_batch_renormalization",
    "group_normalization",
    "layer_normalization",
    "local_response_normalization",
    "normalize",
    # rnn
    "lstm",
    "n_step_bigru",
    "n_step_bilstm",
    "n_step_birnn",
    "n_step_gru",
    "n_step_lstm",
    "n_step_rnn",
    "slstm",
    "tree_lstm",
]

# The layer that owns the functions gives Variable its operators and double backprop
# its namespace (fchain.graph cannot import the ops, which import it).
_variable_methods.install()
_install_second_order(_SecondOrder(_DIFF, sum_to))

_CATEGORIES = frozenset({"activation", "array", "connection", "evaluation", "loss", "math", "noise", "pooling",
                         "normalization", "rnn"})

# Hidden from mypy, which would otherwise type every unknown ``F.<name>`` as ``object``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """Import one of Chainer's category subpackages on first access."""
        if name in _CATEGORIES:
            return _importlib.import_module(f"fchain.functions.{name}")
        raise AttributeError(f"module 'fchain.functions' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(globals()) | _CATEGORIES)

"""Every function of ``fchain.functions`` is also where Chainer 7 keeps it.

``CHAINER_PATHS`` holds, for each name of ``F.__all__``, the module path below
``chainer.functions`` that Chainer 7.8.1's ``chainer/functions/__init__.py`` imports it
from (``F.mean`` is Chainer's ``math.average.average``).  A new op must add its line
here: the first test fails until it does.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import fchain.functions as F

CHAINER_PATHS: dict[str, str] = {
    # activation
    "elu": "activation.elu.elu",
    "leaky_relu": "activation.leaky_relu.leaky_relu",
    "log_softmax": "activation.log_softmax.log_softmax",
    "relu": "activation.relu.relu",
    "sigmoid": "activation.sigmoid.sigmoid",
    "softmax": "activation.softmax.softmax",
    "softplus": "activation.softplus.softplus",
    "tanh": "activation.tanh.tanh",
    "clipped_relu": "activation.clipped_relu.clipped_relu",
    "crelu": "activation.crelu.crelu",
    "hard_sigmoid": "activation.hard_sigmoid.hard_sigmoid",
    "maxout": "activation.maxout.maxout",
    "prelu": "activation.prelu.prelu",
    "rrelu": "activation.rrelu.rrelu",
    "selu": "activation.selu.selu",
    "swish": "activation.swish.swish",
    # array
    "broadcast_to": "array.broadcast.broadcast_to",
    "cast": "array.cast.cast",
    "concat": "array.concat.concat",
    "copy": "array.copy.copy",
    "expand_dims": "array.expand_dims.expand_dims",
    "flatten": "array.flatten.flatten",
    "get_item": "array.get_item.get_item",
    "reshape": "array.reshape.reshape",
    "split_axis": "array.split_axis.split_axis",
    "squeeze": "array.squeeze.squeeze",
    "stack": "array.stack.stack",
    "transpose": "array.transpose.transpose",
    "where": "array.where.where",
    "depth2space": "array.depth2space.depth2space",
    "diagonal": "array.diagonal.diagonal",
    "dstack": "array.dstack.dstack",
    "flip": "array.flip.flip",
    "fliplr": "array.fliplr.fliplr",
    "flipud": "array.flipud.flipud",
    "hstack": "array.hstack.hstack",
    "moveaxis": "array.moveaxis.moveaxis",
    "pad": "array.pad.pad",
    "permutate": "array.permutate.permutate",
    "repeat": "array.repeat.repeat",
    "resize_images": "array.resize_images.resize_images",
    "rollaxis": "array.rollaxis.rollaxis",
    "scatter_add": "array.scatter_add.scatter_add",
    "space2depth": "array.space2depth.space2depth",
    "spatial_transformer_grid": "array.spatial_transformer_grid.spatial_transformer_grid",
    "spatial_transformer_sampler": "array.spatial_transformer_sampler.spatial_transformer_sampler",
    "swapaxes": "array.swapaxes.swapaxes",
    "tile": "array.tile.tile",
    "vstack": "array.vstack.vstack",
    # connection (convolution) and pooling
    "im2col": "array.im2col.im2col",
    "bilinear": "connection.bilinear.bilinear",
    "convolution_2d": "connection.convolution_2d.convolution_2d",
    "convolution_1d": "connection.convolution_nd.convolution_1d",
    "convolution_3d": "connection.convolution_nd.convolution_3d",
    "convolution_nd": "connection.convolution_nd.convolution_nd",
    "deconvolution_2d": "connection.deconvolution_2d.deconvolution_2d",
    "deconvolution_1d": "connection.deconvolution_nd.deconvolution_1d",
    "deconvolution_3d": "connection.deconvolution_nd.deconvolution_3d",
    "deconvolution_nd": "connection.deconvolution_nd.deconvolution_nd",
    "depthwise_convolution_2d": "connection.depthwise_convolution_2d.depthwise_convolution_2d",
    "dilated_convolution_2d": "connection.dilated_convolution_2d.dilated_convolution_2d",
    "local_convolution_2d": "connection.local_convolution_2d.local_convolution_2d",
    "shift": "connection.shift.shift",
    "average_pooling_2d": "pooling.average_pooling_2d.average_pooling_2d",
    "average_pooling_1d": "pooling.average_pooling_nd.average_pooling_1d",
    "average_pooling_3d": "pooling.average_pooling_nd.average_pooling_3d",
    "average_pooling_nd": "pooling.average_pooling_nd.average_pooling_nd",
    "max_pooling_1d": "pooling.max_pooling_nd.max_pooling_1d",
    "max_pooling_2d": "pooling.max_pooling_nd.max_pooling_2d",
    "max_pooling_3d": "pooling.max_pooling_nd.max_pooling_3d",
    "max_pooling_nd": "pooling.max_pooling_nd.max_pooling_nd",
    "roi_average_align_2d": "pooling.roi_average_align_2d.roi_average_align_2d",
    "roi_average_pooling_2d": "pooling.roi_average_pooling_2d.roi_average_pooling_2d",
    "roi_max_align_2d": "pooling.roi_max_align_2d.roi_max_align_2d",
    "roi_max_pooling_2d": "pooling.roi_max_pooling_2d.roi_max_pooling_2d",
    "roi_pooling_2d": "pooling.roi_pooling_2d.roi_pooling_2d",
    "spatial_pyramid_pooling_2d": "pooling.spatial_pyramid_pooling_2d.spatial_pyramid_pooling_2d",
    "unpooling_2d": "pooling.unpooling_2d.unpooling_2d",
    "unpooling_1d": "pooling.unpooling_nd.unpooling_1d",
    "unpooling_3d": "pooling.unpooling_nd.unpooling_3d",
    "unpooling_nd": "pooling.unpooling_nd.unpooling_nd",
    "upsampling_2d": "pooling.upsampling_2d.upsampling_2d",
    # connection, evaluation, loss, noise
    "linear": "connection.linear.linear",
    "accuracy": "evaluation.accuracy.accuracy",
    "binary_accuracy": "evaluation.binary_accuracy.binary_accuracy",
    "mean_absolute_error": "loss.mean_absolute_error.mean_absolute_error",
    "mean_squared_error": "loss.mean_squared_error.mean_squared_error",
    "sigmoid_cross_entropy": "loss.sigmoid_cross_entropy.sigmoid_cross_entropy",
    "softmax_cross_entropy": "loss.softmax_cross_entropy.softmax_cross_entropy",
    # loss (issue 13)
    "absolute_error": "loss.absolute_error.absolute_error",
    "argmax_crf1d": "loss.crf1d.argmax_crf1d",
    "black_out": "loss.black_out.black_out",
    "connectionist_temporal_classification": "loss.ctc.connectionist_temporal_classification",
    "contrastive": "loss.contrastive.contrastive",
    "crf1d": "loss.crf1d.crf1d",
    "hinge": "loss.hinge.hinge",
    "huber_loss": "loss.huber_loss.huber_loss",
    "negative_sampling": "loss.negative_sampling.negative_sampling",
    "squared_error": "loss.squared_error.squared_error",
    "triplet": "loss.triplet.triplet",
    "dropout": "noise.dropout.dropout",
    # normalization
    "batch_normalization": "normalization.batch_normalization.batch_normalization",
    "batch_renormalization": "normalization.batch_renormalization.batch_renormalization",
    "fixed_batch_normalization": "normalization.batch_normalization.fixed_batch_normalization",
    "fixed_batch_renormalization": "normalization.batch_renormalization.fixed_batch_renormalization",
    "group_normalization": "normalization.group_normalization.group_normalization",
    "layer_normalization": "normalization.layer_normalization.layer_normalization",
    "local_response_normalization": "normalization.local_response_normalization.local_response_normalization",
    "normalize": "normalization.l2_normalization.normalize",
    # rnn and sequences (embed_id is a connection, the sequence utilities array functions)
    "embed_id": "connection.embed_id.embed_id",
    "pad_sequence": "array.pad_sequence.pad_sequence",
    "select_item": "array.select_item.select_item",
    "separate": "array.separate.separate",
    "transpose_sequence": "array.transpose_sequence.transpose_sequence",
    "lstm": "rnn.lstm.lstm",
    "n_step_bigru": "rnn.n_step_gru.n_step_bigru",
    "n_step_bilstm": "rnn.n_step_lstm.n_step_bilstm",
    "n_step_birnn": "rnn.n_step_rnn.n_step_birnn",
    "n_step_gru": "rnn.n_step_gru.n_step_gru",
    "n_step_lstm": "rnn.n_step_lstm.n_step_lstm",
    "n_step_rnn": "rnn.n_step_rnn.n_step_rnn",
    "slstm": "rnn.slstm.slstm",
    "tree_lstm": "rnn.tree_lstm.tree_lstm",
    # math
    "absolute": "math.basic_math.absolute",
    "add": "math.basic_math.add",
    "bias": "math.bias.bias",
    "linear_interpolate": "math.linear_interpolate.linear_interpolate",
    "scale": "math.scale.scale",
    "div": "math.basic_math.div",
    "mul": "math.basic_math.mul",
    "neg": "math.basic_math.neg",
    "pow": "math.basic_math.pow",
    "sub": "math.basic_math.sub",
    "argmax": "math.minmax.argmax",
    "argmin": "math.minmax.argmin",
    "max": "math.minmax.max",
    "min": "math.minmax.min",
    "clip": "math.clip.clip",
    "cos": "math.trigonometric.cos",
    "sin": "math.trigonometric.sin",
    "exp": "math.exponential.exp",
    "log": "math.exponential.log",
    "identity": "math.identity.identity",
    "log1p": "math.logarithm_1p.log1p",
    "logsumexp": "math.logsumexp.logsumexp",
    "matmul": "math.matmul.matmul",
    "maximum": "math.maximum.maximum",
    "minimum": "math.minimum.minimum",
    "mean": "math.average.average",
    "average": "math.average.average",
    "sqrt": "math.sqrt.sqrt",
    "square": "math.square.square",
    "sum": "math.sum.sum",
    "sum_to": "math.sum.sum_to",
}


def _resolve(path: str) -> object:
    module_path, _, attribute = f"fchain.functions.{path}".rpartition(".")
    return getattr(importlib.import_module(module_path), attribute)


def test_every_function_has_its_chainer_path_listed() -> None:
    assert sorted(CHAINER_PATHS) == sorted(F.__all__)


@pytest.mark.parametrize("name", sorted(CHAINER_PATHS))
def test_the_chainer_path_gives_the_same_function(name: str) -> None:
    assert _resolve(CHAINER_PATHS[name]) is getattr(F, name)


def test_the_path_modules_export_exactly_the_listed_functions() -> None:
    """No stale or extra path modules: each exports (``__all__``) what the table
    places in it, and nothing else."""
    expected: dict[str, set[str]] = {}
    for path in CHAINER_PATHS.values():
        module_path, _, attribute = f"fchain.functions.{path}".rpartition(".")
        expected.setdefault(module_path, set()).add(attribute)
    found: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(F.__path__, "fchain.functions."):
        if not info.ispkg:
            found[info.name] = set(importlib.import_module(info.name).__all__)
    assert found == expected

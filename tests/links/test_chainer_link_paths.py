"""Every link of ``fchain.links`` is also where Chainer 7 keeps it.

``CHAINER_PATHS`` holds, for each name of ``L.__all__``, the module below
``chainer.links`` that Chainer 7.8.1 defines it in
(``chainer.links.connection.convolution_nd.Convolution1D``).  A new link must add
its line here: the first test fails until it does.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import fchain.links as L

CHAINER_PATHS: dict[str, str] = {
    "Maxout": "activation.maxout",
    "PReLU": "activation.prelu",
    "Swish": "activation.swish",
    "Bias": "connection.bias",
    "Bilinear": "connection.bilinear",
    "Convolution1D": "connection.convolution_nd",
    "Convolution2D": "connection.convolution_2d",
    "Convolution3D": "connection.convolution_nd",
    "ConvolutionND": "connection.convolution_nd",
    "Deconvolution1D": "connection.deconvolution_nd",
    "Deconvolution2D": "connection.deconvolution_2d",
    "Deconvolution3D": "connection.deconvolution_nd",
    "DeconvolutionND": "connection.deconvolution_nd",
    "DepthwiseConvolution2D": "connection.depthwise_convolution_2d",
    "DilatedConvolution2D": "connection.dilated_convolution_2d",
    "EmbedID": "connection.embed_id",
    "Inception": "connection.inception",
    "InceptionBN": "connection.inceptionbn",
    "Linear": "connection.linear",
    "LocalConvolution2D": "connection.local_convolution_2d",
    "MLPConvolution2D": "connection.mlp_convolution_2d",
    "Scale": "connection.scale",
    "BinaryHierarchicalSoftmax": "loss.hierarchical_softmax",
    "BlackOut": "loss.black_out",
    "CRF1d": "loss.crf1d",
    "NegativeSampling": "loss.negative_sampling",
    "Classifier": "model.classifier",
    "BatchNormalization": "normalization.batch_normalization",
    "BatchRenormalization": "normalization.batch_renormalization",
    "GroupNormalization": "normalization.group_normalization",
    "LayerNormalization": "normalization.layer_normalization",
    "GRU": "rnn.gru",
    "StatefulGRU": "rnn.gru",
    "StatelessGRU": "rnn.gru",
    "LSTM": "rnn.lstm",
    "StatelessLSTM": "rnn.lstm",
    "StatefulMGU": "rnn.mgu",
    "StatelessMGU": "rnn.mgu",
    "NStepGRU": "rnn.n_step_gru",
    "NStepBiGRU": "rnn.n_step_gru",
    "NStepLSTM": "rnn.n_step_lstm",
    "NStepBiLSTM": "rnn.n_step_lstm",
    "NStepRNNTanh": "rnn.n_step_rnn",
    "NStepRNNReLU": "rnn.n_step_rnn",
    "NStepBiRNNTanh": "rnn.n_step_rnn",
    "NStepBiRNNReLU": "rnn.n_step_rnn",
    "StatefulPeepholeLSTM": "rnn.peephole",
}


def test_every_link_has_its_chainer_path_listed() -> None:
    assert sorted(CHAINER_PATHS) == sorted(L.__all__)


@pytest.mark.parametrize("name", sorted(CHAINER_PATHS))
def test_the_chainer_path_gives_the_same_class(name: str) -> None:
    module = importlib.import_module(f"fchain.links.{CHAINER_PATHS[name]}")
    assert getattr(module, name) is getattr(L, name)
    assert name in module.__all__
    assert getattr(L, name).__module__ == module.__name__  # defined there, as in Chainer


def test_the_category_packages_list_their_public_modules() -> None:
    """``fchain.links.<category>`` names each of its public modules (so
    ``L.connection.convolution_2d`` resolves for mypy and at run time)."""
    for info in pkgutil.iter_modules(L.__path__):
        if not info.ispkg:
            continue
        package = importlib.import_module(f"fchain.links.{info.name}")
        public = {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}
        assert set(package.__all__) == public, info.name
        for name in public:
            assert getattr(package, name) is importlib.import_module(f"fchain.links.{info.name}.{name}")

"""``fchain.links`` (``L``): Chainer's links, typed.

``L.Linear(3, 2)``, ``L.Convolution2D(None, 16, 3, pad=1)``, ``L.BatchNormalization(16)``,
``L.Classifier(predictor)``, ``L.LSTM(None, 32)``, ``L.NStepLSTM(1, 8, 8, 0.0)``, ...: each
also at Chainer's module path (``L.connection.convolution_2d.Convolution2D``,
``L.rnn.lstm.LSTM``), its category subpackage named here for mypy.
"""

from __future__ import annotations

# Chainer's category subpackages, named for mypy (``L.connection.linear.Linear``).
from fchain.links import activation as activation
from fchain.links import connection as connection
from fchain.links import loss as loss
from fchain.links import model as model
from fchain.links import normalization as normalization
from fchain.links import rnn as rnn
from fchain.links.activation.maxout import Maxout as Maxout
from fchain.links.activation.prelu import PReLU as PReLU
from fchain.links.activation.swish import Swish as Swish
from fchain.links.connection.bias import Bias as Bias
from fchain.links.connection.bilinear import Bilinear as Bilinear
from fchain.links.connection.convolution_2d import Convolution2D as Convolution2D
from fchain.links.connection.convolution_nd import Convolution1D as Convolution1D
from fchain.links.connection.convolution_nd import Convolution3D as Convolution3D
from fchain.links.connection.convolution_nd import ConvolutionND as ConvolutionND
from fchain.links.connection.deconvolution_2d import Deconvolution2D as Deconvolution2D
from fchain.links.connection.deconvolution_nd import Deconvolution1D as Deconvolution1D
from fchain.links.connection.deconvolution_nd import Deconvolution3D as Deconvolution3D
from fchain.links.connection.deconvolution_nd import DeconvolutionND as DeconvolutionND
from fchain.links.connection.depthwise_convolution_2d import DepthwiseConvolution2D as DepthwiseConvolution2D
from fchain.links.connection.dilated_convolution_2d import DilatedConvolution2D as DilatedConvolution2D
from fchain.links.connection.embed_id import EmbedID as EmbedID
from fchain.links.connection.inception import Inception as Inception
from fchain.links.connection.inceptionbn import InceptionBN as InceptionBN
from fchain.links.connection.linear import Linear as Linear
from fchain.links.connection.local_convolution_2d import LocalConvolution2D as LocalConvolution2D
from fchain.links.connection.mlp_convolution_2d import MLPConvolution2D as MLPConvolution2D
from fchain.links.connection.scale import Scale as Scale
from fchain.links.loss.black_out import BlackOut as BlackOut
from fchain.links.loss.crf1d import CRF1d as CRF1d
from fchain.links.loss.hierarchical_softmax import BinaryHierarchicalSoftmax as BinaryHierarchicalSoftmax
from fchain.links.loss.negative_sampling import NegativeSampling as NegativeSampling
from fchain.links.model.classifier import Classifier as Classifier
from fchain.links.normalization.batch_normalization import BatchNormalization as BatchNormalization
from fchain.links.normalization.batch_renormalization import BatchRenormalization as BatchRenormalization
from fchain.links.normalization.group_normalization import GroupNormalization as GroupNormalization
from fchain.links.normalization.layer_normalization import LayerNormalization as LayerNormalization
from fchain.links.rnn.gru import GRU as GRU
from fchain.links.rnn.gru import StatefulGRU as StatefulGRU
from fchain.links.rnn.gru import StatelessGRU as StatelessGRU
from fchain.links.rnn.lstm import LSTM as LSTM
from fchain.links.rnn.lstm import StatelessLSTM as StatelessLSTM
from fchain.links.rnn.mgu import StatefulMGU as StatefulMGU
from fchain.links.rnn.mgu import StatelessMGU as StatelessMGU
from fchain.links.rnn.n_step_gru import NStepBiGRU as NStepBiGRU
from fchain.links.rnn.n_step_gru import NStepGRU as NStepGRU
from fchain.links.rnn.n_step_lstm import NStepBiLSTM as NStepBiLSTM
from fchain.links.rnn.n_step_lstm import NStepLSTM as NStepLSTM
from fchain.links.rnn.n_step_rnn import NStepBiRNNReLU as NStepBiRNNReLU
from fchain.links.rnn.n_step_rnn import NStepBiRNNTanh as NStepBiRNNTanh
from fchain.links.rnn.n_step_rnn import NStepRNNReLU as NStepRNNReLU
from fchain.links.rnn.n_step_rnn import NStepRNNTanh as NStepRNNTanh
from fchain.links.rnn.peephole import StatefulPeepholeLSTM as StatefulPeepholeLSTM

__all__ = [
    "BatchNormalization",
    "BatchRenormalization",
    "Bias",
    "Bilinear",
    "BinaryHierarchicalSoftmax",
    "BlackOut",
    "CRF1d",
    "Classifier",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
    "ConvolutionND",
    "Deconvolution1D",
    "Deconvolution2D",
    "Deconvolution3D",
    "DeconvolutionND",
    "DepthwiseConvolution2D",
    "DilatedConvolution2D",
    "EmbedID",
    "GRU",
    "GroupNormalization",
    "Inception",
    "InceptionBN",
    "LSTM",
    "LayerNormalization",
    "Linear",
    "LocalConvolution2D",
    "MLPConvolution2D",
    "Maxout",
    "NStepBiGRU",
    "NStepBiLSTM",
    "NStepBiRNNReLU",
    "NStepBiRNNTanh",
    "NStepGRU",
    "NStepLSTM",
    "NStepRNNReLU",
    "NStepRNNTanh",
    "NegativeSampling",
    "PReLU",
    "Scale",
    "StatefulGRU",
    "StatefulMGU",
    "StatefulPeepholeLSTM",
    "StatelessGRU",
    "StatelessLSTM",
    "StatelessMGU",
    "Swish",
]

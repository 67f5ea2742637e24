"""``fchain.links`` (``L``): Chainer's links, typed.

``L.Linear(3, 2)``, ``L.Convolution2D(None, 16, 3, pad=1)``, ``L.BatchNormalization(16)``,
``L.Classifier(predictor)``, ...: each also at Chainer's module path
(``L.connection.convolution_2d.Convolution2D``), its category subpackage named here
for mypy.
"""

from __future__ import annotations

# Chainer's category subpackages, named for mypy (``L.connection.linear.Linear``).
from fchain.links import activation as activation
from fchain.links import connection as connection
from fchain.links import model as model
from fchain.links import normalization as normalization
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
from fchain.links.connection.inception import Inception as Inception
from fchain.links.connection.inceptionbn import InceptionBN as InceptionBN
from fchain.links.connection.linear import Linear as Linear
from fchain.links.connection.local_convolution_2d import LocalConvolution2D as LocalConvolution2D
from fchain.links.connection.mlp_convolution_2d import MLPConvolution2D as MLPConvolution2D
from fchain.links.connection.scale import Scale as Scale
from fchain.links.model.classifier import Classifier as Classifier
from fchain.links.normalization.batch_normalization import BatchNormalization as BatchNormalization
from fchain.links.normalization.batch_renormalization import BatchRenormalization as BatchRenormalization
from fchain.links.normalization.group_normalization import GroupNormalization as GroupNormalization
from fchain.links.normalization.layer_normalization import LayerNormalization as LayerNormalization

__all__ = [
    "BatchNormalization",
    "BatchRenormalization",
    "Bias",
    "Bilinear",
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
    "GroupNormalization",
    "Inception",
    "InceptionBN",
    "LayerNormalization",
    "Linear",
    "LocalConvolution2D",
    "MLPConvolution2D",
    "Maxout",
    "PReLU",
    "Scale",
    "Swish",
]

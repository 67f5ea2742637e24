"""Links of Chainer's ``connection`` category, each at Chainer's module path
(``fchain.links.connection.linear.Linear``,
``fchain.links.connection.convolution_2d.Convolution2D``, ...)."""

from __future__ import annotations

from fchain.links.connection import bias as bias
from fchain.links.connection import bilinear as bilinear
from fchain.links.connection import convolution_2d as convolution_2d
from fchain.links.connection import convolution_nd as convolution_nd
from fchain.links.connection import deconvolution_2d as deconvolution_2d
from fchain.links.connection import deconvolution_nd as deconvolution_nd
from fchain.links.connection import depthwise_convolution_2d as depthwise_convolution_2d
from fchain.links.connection import dilated_convolution_2d as dilated_convolution_2d
from fchain.links.connection import embed_id as embed_id
from fchain.links.connection import inception as inception
from fchain.links.connection import inceptionbn as inceptionbn
from fchain.links.connection import linear as linear
from fchain.links.connection import local_convolution_2d as local_convolution_2d
from fchain.links.connection import mlp_convolution_2d as mlp_convolution_2d
from fchain.links.connection import scale as scale

__all__ = [
    "bias",
    "bilinear",
    "convolution_2d",
    "convolution_nd",
    "deconvolution_2d",
    "deconvolution_nd",
    "depthwise_convolution_2d",
    "dilated_convolution_2d",
    "embed_id",
    "inception",
    "inceptionbn",
    "linear",
    "local_convolution_2d",
    "mlp_convolution_2d",
    "scale",
]

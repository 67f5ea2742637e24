"""``fchain.functions.connection``: Chainer's module paths of its functions with parameters (connections)
(``chainer.functions.connection.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.connection import bilinear as bilinear
from fchain.functions.connection import convolution_2d as convolution_2d
from fchain.functions.connection import convolution_nd as convolution_nd
from fchain.functions.connection import deconvolution_2d as deconvolution_2d
from fchain.functions.connection import deconvolution_nd as deconvolution_nd
from fchain.functions.connection import depthwise_convolution_2d as depthwise_convolution_2d
from fchain.functions.connection import dilated_convolution_2d as dilated_convolution_2d
from fchain.functions.connection import embed_id as embed_id
from fchain.functions.connection import linear as linear
from fchain.functions.connection import local_convolution_2d as local_convolution_2d
from fchain.functions.connection import shift as shift

__all__ = [
    "bilinear",
    "convolution_2d",
    "convolution_nd",
    "deconvolution_2d",
    "deconvolution_nd",
    "depthwise_convolution_2d",
    "dilated_convolution_2d",
    "embed_id",
    "linear",
    "local_convolution_2d",
    "shift",
]

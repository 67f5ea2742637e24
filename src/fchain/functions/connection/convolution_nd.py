"""``fchain.functions.connection.convolution_nd``: Chainer's module path of ``convolution_1d`` (implemented in
``fchain.ops.connection.convolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.convolution_nd import convolution_1d as convolution_1d
from fchain.ops.connection.convolution_nd import convolution_3d as convolution_3d
from fchain.ops.connection.convolution_nd import convolution_nd as convolution_nd

__all__ = ["convolution_1d", "convolution_3d", "convolution_nd"]

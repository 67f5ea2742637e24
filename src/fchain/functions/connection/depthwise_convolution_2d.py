"""``fchain.functions.connection.depthwise_convolution_2d``: Chainer's module path of ``depthwise_convolution_2d`` (implemented in
``fchain.ops.connection.convolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.convolution_nd import depthwise_convolution_2d as depthwise_convolution_2d

__all__ = ["depthwise_convolution_2d"]

"""``fchain.functions.connection.dilated_convolution_2d``: Chainer's module path of ``dilated_convolution_2d`` (implemented in
``fchain.ops.connection.convolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.convolution_nd import dilated_convolution_2d as dilated_convolution_2d

__all__ = ["dilated_convolution_2d"]

"""``fchain.functions.connection.convolution_2d``: Chainer's module path of ``convolution_2d`` (implemented in
``fchain.ops.connection.convolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.convolution_nd import convolution_2d as convolution_2d

__all__ = ["convolution_2d"]

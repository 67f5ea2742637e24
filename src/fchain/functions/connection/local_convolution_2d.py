"""``fchain.functions.connection.local_convolution_2d``: Chainer's module path of ``local_convolution_2d`` (implemented in
``fchain.ops.connection.local_convolution_2d``)."""

from __future__ import annotations

from fchain.ops.connection.local_convolution_2d import local_convolution_2d as local_convolution_2d

__all__ = ["local_convolution_2d"]

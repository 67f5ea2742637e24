"""``fchain.functions.connection.deconvolution_2d``: Chainer's module path of ``deconvolution_2d`` (implemented in
``fchain.ops.connection.deconvolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.deconvolution_nd import deconvolution_2d as deconvolution_2d

__all__ = ["deconvolution_2d"]

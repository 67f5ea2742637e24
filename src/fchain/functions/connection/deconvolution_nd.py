"""``fchain.functions.connection.deconvolution_nd``: Chainer's module path of ``deconvolution_1d`` (implemented in
``fchain.ops.connection.deconvolution_nd``)."""

from __future__ import annotations

from fchain.ops.connection.deconvolution_nd import deconvolution_1d as deconvolution_1d
from fchain.ops.connection.deconvolution_nd import deconvolution_3d as deconvolution_3d
from fchain.ops.connection.deconvolution_nd import deconvolution_nd as deconvolution_nd

__all__ = ["deconvolution_1d", "deconvolution_3d", "deconvolution_nd"]

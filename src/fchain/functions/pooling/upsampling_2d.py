"""``fchain.functions.pooling.upsampling_2d``: Chainer's module path of ``upsampling_2d`` (implemented in
``fchain.ops.pooling.upsampling_2d``)."""

from __future__ import annotations

from fchain.ops.pooling.upsampling_2d import upsampling_2d as upsampling_2d

__all__ = ["upsampling_2d"]

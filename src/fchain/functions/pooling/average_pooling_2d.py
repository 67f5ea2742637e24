"""``fchain.functions.pooling.average_pooling_2d``: Chainer's module path of ``average_pooling_2d`` (implemented in
``fchain.ops.pooling.average_pooling_nd``)."""

from __future__ import annotations

from fchain.ops.pooling.average_pooling_nd import average_pooling_2d as average_pooling_2d

__all__ = ["average_pooling_2d"]

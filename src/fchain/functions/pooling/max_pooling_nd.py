"""``fchain.functions.pooling.max_pooling_nd``: Chainer's module path of ``max_pooling_1d`` (implemented in
``fchain.ops.pooling.max_pooling_nd``)."""

from __future__ import annotations

from fchain.ops.pooling.max_pooling_nd import max_pooling_1d as max_pooling_1d
from fchain.ops.pooling.max_pooling_nd import max_pooling_2d as max_pooling_2d
from fchain.ops.pooling.max_pooling_nd import max_pooling_3d as max_pooling_3d
from fchain.ops.pooling.max_pooling_nd import max_pooling_nd as max_pooling_nd

__all__ = ["max_pooling_1d", "max_pooling_2d", "max_pooling_3d", "max_pooling_nd"]

"""``fchain.functions.pooling.average_pooling_nd``: Chainer's module path of ``average_pooling_1d`` (implemented in
``fchain.ops.pooling.average_pooling_nd``)."""

from __future__ import annotations

from fchain.ops.pooling.average_pooling_nd import average_pooling_1d as average_pooling_1d
from fchain.ops.pooling.average_pooling_nd import average_pooling_3d as average_pooling_3d
from fchain.ops.pooling.average_pooling_nd import average_pooling_nd as average_pooling_nd

__all__ = ["average_pooling_1d", "average_pooling_3d", "average_pooling_nd"]

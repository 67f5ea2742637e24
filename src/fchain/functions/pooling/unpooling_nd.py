"""``fchain.functions.pooling.unpooling_nd``: Chainer's module path of ``unpooling_1d`` (implemented in
``fchain.ops.pooling.unpooling_nd``)."""

from __future__ import annotations

from fchain.ops.pooling.unpooling_nd import unpooling_1d as unpooling_1d
from fchain.ops.pooling.unpooling_nd import unpooling_3d as unpooling_3d
from fchain.ops.pooling.unpooling_nd import unpooling_nd as unpooling_nd

__all__ = ["unpooling_1d", "unpooling_3d", "unpooling_nd"]

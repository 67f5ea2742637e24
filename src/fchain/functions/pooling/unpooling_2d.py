"""``fchain.functions.pooling.unpooling_2d``: Chainer's module path of ``unpooling_2d`` (implemented in
``fchain.ops.pooling.unpooling_nd``)."""

from __future__ import annotations

from fchain.ops.pooling.unpooling_nd import unpooling_2d as unpooling_2d

__all__ = ["unpooling_2d"]

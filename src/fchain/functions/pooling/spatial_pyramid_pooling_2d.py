"""``fchain.functions.pooling.spatial_pyramid_pooling_2d``: Chainer's module path of ``spatial_pyramid_pooling_2d`` (implemented in
``fchain.ops.pooling.spatial_pyramid_pooling_2d``)."""

from __future__ import annotations

from fchain.ops.pooling.spatial_pyramid_pooling_2d import spatial_pyramid_pooling_2d as spatial_pyramid_pooling_2d

__all__ = ["spatial_pyramid_pooling_2d"]

"""``fchain.functions.array.spatial_transformer_grid``: Chainer's module path of ``spatial_transformer_grid`` (implemented in
``fchain.ops.array.spatial_transformer_grid``)."""

from __future__ import annotations

from fchain.ops.array.spatial_transformer_grid import spatial_transformer_grid as spatial_transformer_grid

__all__ = ["spatial_transformer_grid"]

"""``fchain.functions.array.spatial_transformer_sampler``: Chainer's module path of ``spatial_transformer_sampler`` (implemented in
``fchain.ops.array.spatial_transformer_sampler``)."""

from __future__ import annotations

from fchain.ops.array.spatial_transformer_sampler import spatial_transformer_sampler as spatial_transformer_sampler

__all__ = ["spatial_transformer_sampler"]

"""``fchain.functions.pooling.roi_pooling_2d``: Chainer's module path of ``roi_pooling_2d`` (implemented in
``fchain.ops.pooling.roi_pooling_2d``)."""

from __future__ import annotations

from fchain.ops.pooling.roi_pooling_2d import roi_pooling_2d as roi_pooling_2d

__all__ = ["roi_pooling_2d"]

"""``fchain.functions.pooling``: Chainer's module paths of the pooling functions."""

from __future__ import annotations

from fchain.functions.pooling import average_pooling_2d as average_pooling_2d
from fchain.functions.pooling import average_pooling_nd as average_pooling_nd
from fchain.functions.pooling import max_pooling_nd as max_pooling_nd
from fchain.functions.pooling import roi_average_align_2d as roi_average_align_2d
from fchain.functions.pooling import roi_average_pooling_2d as roi_average_pooling_2d
from fchain.functions.pooling import roi_max_align_2d as roi_max_align_2d
from fchain.functions.pooling import roi_max_pooling_2d as roi_max_pooling_2d
from fchain.functions.pooling import roi_pooling_2d as roi_pooling_2d
from fchain.functions.pooling import spatial_pyramid_pooling_2d as spatial_pyramid_pooling_2d
from fchain.functions.pooling import unpooling_2d as unpooling_2d
from fchain.functions.pooling import unpooling_nd as unpooling_nd
from fchain.functions.pooling import upsampling_2d as upsampling_2d

__all__ = [
    "average_pooling_2d",
    "average_pooling_nd",
    "max_pooling_nd",
    "roi_average_align_2d",
    "roi_average_pooling_2d",
    "roi_max_align_2d",
    "roi_max_pooling_2d",
    "roi_pooling_2d",
    "spatial_pyramid_pooling_2d",
    "unpooling_2d",
    "unpooling_nd",
    "upsampling_2d",
]

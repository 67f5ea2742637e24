"""``fchain.functions.normalization``: Chainer's module paths of its normalization
functions (``chainer.functions.normalization.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.normalization import batch_normalization as batch_normalization
from fchain.functions.normalization import batch_renormalization as batch_renormalization
from fchain.functions.normalization import group_normalization as group_normalization
from fchain.functions.normalization import l2_normalization as l2_normalization
from fchain.functions.normalization import layer_normalization as layer_normalization
from fchain.functions.normalization import local_response_normalization as local_response_normalization

__all__ = [
    "batch_normalization",
    "batch_renormalization",
    "group_normalization",
    "l2_normalization",
    "layer_normalization",
    "local_response_normalization",
]

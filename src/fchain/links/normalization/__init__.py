"""Links of Chainer's ``normalization`` category, each at Chainer's module path
(``fchain.links.normalization.batch_normalization.BatchNormalization``, ...)."""

from __future__ import annotations

from fchain.links.normalization import batch_normalization as batch_normalization
from fchain.links.normalization import batch_renormalization as batch_renormalization
from fchain.links.normalization import group_normalization as group_normalization
from fchain.links.normalization import layer_normalization as layer_normalization

__all__ = ["batch_normalization", "batch_renormalization", "group_normalization", "layer_normalization"]

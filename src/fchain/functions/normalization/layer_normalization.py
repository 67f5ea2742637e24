"""``fchain.functions.normalization.layer_normalization``: Chainer's module
path of ``layer_normalization`` (implemented in ``fchain.ops.normalization.layer_normalization``)."""

from __future__ import annotations

from fchain.ops.normalization.layer_normalization import layer_normalization as layer_normalization

__all__ = ["layer_normalization"]

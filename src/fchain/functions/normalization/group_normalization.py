"""``fchain.functions.normalization.group_normalization``: Chainer's module
path of ``group_normalization`` (implemented in ``fchain.ops.normalization.group_normalization``)."""

from __future__ import annotations

from fchain.ops.normalization.group_normalization import group_normalization as group_normalization

__all__ = ["group_normalization"]

"""``fchain.functions.normalization.l2_normalization``: Chainer's module
path of ``normalize`` (implemented in ``fchain.ops.normalization.normalize``)."""

from __future__ import annotations

from fchain.ops.normalization.normalize import normalize as normalize

__all__ = ["normalize"]

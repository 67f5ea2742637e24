"""``fchain.functions.normalization.batch_normalization``: Chainer's module path of
``batch_normalization`` and ``fixed_batch_normalization`` (implemented in
``fchain.ops.normalization.batch_normalization`` and ``.fixed_batch_normalization``)."""

from __future__ import annotations

from fchain.ops.normalization.batch_normalization import batch_normalization as batch_normalization
from fchain.ops.normalization.fixed_batch_normalization import fixed_batch_normalization as fixed_batch_normalization

__all__ = ["batch_normalization", "fixed_batch_normalization"]

"""``fchain.functions.normalization.batch_renormalization``: Chainer's module
path of ``batch_renormalization`` and ``fixed_batch_renormalization`` (implemented in ``fchain.ops.normalization.batch_renormalization``)."""

from __future__ import annotations

from fchain.ops.normalization.batch_renormalization import batch_renormalization as batch_renormalization
from fchain.ops.normalization.batch_renormalization import fixed_batch_renormalization as fixed_batch_renormalization

__all__ = ["batch_renormalization", "fixed_batch_renormalization"]

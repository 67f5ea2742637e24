"""``fchain.functions.math.logarithm_1p``: Chainer's module path of ``log1p`` (implemented
in ``fchain.ops.math.log1p``)."""

from __future__ import annotations

from fchain.ops.math.log1p import log1p as log1p

__all__ = ["log1p"]

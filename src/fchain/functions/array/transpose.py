"""``fchain.functions.array.transpose``: Chainer's module path of ``transpose``
(implemented in ``fchain.ops.array.transpose``)."""

from __future__ import annotations

from fchain.ops.array.transpose import transpose as transpose

__all__ = ["transpose"]

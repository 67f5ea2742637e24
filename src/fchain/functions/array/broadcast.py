"""``fchain.functions.array.broadcast``: Chainer's module path of ``broadcast_to``
(implemented in ``fchain.ops.array.broadcast_to``)."""

from __future__ import annotations

from fchain.ops.array.broadcast_to import broadcast_to as broadcast_to

__all__ = ["broadcast_to"]

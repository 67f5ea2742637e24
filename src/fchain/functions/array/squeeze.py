"""``fchain.functions.array.squeeze``: Chainer's module path of ``squeeze`` (implemented in
``fchain.ops.array.squeeze``)."""

from __future__ import annotations

from fchain.ops.array.squeeze import squeeze as squeeze

__all__ = ["squeeze"]

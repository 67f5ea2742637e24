"""``fchain.functions.array.repeat``: Chainer's module path of ``repeat`` (implemented in
``fchain.ops.array.repeat``)."""

from __future__ import annotations

from fchain.ops.array.repeat import repeat as repeat

__all__ = ["repeat"]

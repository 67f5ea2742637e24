"""``fchain.functions.array.reshape``: Chainer's module path of ``reshape`` (implemented in
``fchain.ops.array.reshape``)."""

from __future__ import annotations

from fchain.ops.array.reshape import reshape as reshape

__all__ = ["reshape"]

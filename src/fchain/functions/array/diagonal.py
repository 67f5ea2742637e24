"""``fchain.functions.array.diagonal``: Chainer's module path of ``diagonal`` (implemented in
``fchain.ops.array.diagonal``)."""

from __future__ import annotations

from fchain.ops.array.diagonal import diagonal as diagonal

__all__ = ["diagonal"]

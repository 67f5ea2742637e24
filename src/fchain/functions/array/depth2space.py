"""``fchain.functions.array.depth2space``: Chainer's module path of ``depth2space`` (implemented in
``fchain.ops.array.depth2space``)."""

from __future__ import annotations

from fchain.ops.array.depth2space import depth2space as depth2space

__all__ = ["depth2space"]

"""``fchain.functions.array.tile``: Chainer's module path of ``tile`` (implemented in
``fchain.ops.array.tile``)."""

from __future__ import annotations

from fchain.ops.array.tile import tile as tile

__all__ = ["tile"]

"""``fchain.functions.connection.shift``: Chainer's module path of ``shift`` (implemented in
``fchain.ops.connection.shift``)."""

from __future__ import annotations

from fchain.ops.connection.shift import shift as shift

__all__ = ["shift"]

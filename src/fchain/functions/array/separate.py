"""``fchain.functions.array.separate``: Chainer's module path of ``separate`` (implemented in
``fchain.ops.array.separate``)."""

from __future__ import annotations

from fchain.ops.array.separate import separate as separate

__all__ = ["separate"]

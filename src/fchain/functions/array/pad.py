"""``fchain.functions.array.pad``: Chainer's module path of ``pad`` (implemented in
``fchain.ops.array.pad``)."""

from __future__ import annotations

from fchain.ops.array.pad import pad as pad

__all__ = ["pad"]

"""``fchain.functions.array.copy``: Chainer's module path of ``copy`` (implemented in
``fchain.ops.array.copy``)."""

from __future__ import annotations

from fchain.ops.array.copy import copy as copy

__all__ = ["copy"]

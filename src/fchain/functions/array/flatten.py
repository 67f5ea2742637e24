"""``fchain.functions.array.flatten``: Chainer's module path of ``flatten`` (implemented in
``fchain.ops.array.flatten``)."""

from __future__ import annotations

from fchain.ops.array.flatten import flatten as flatten

__all__ = ["flatten"]

"""``fchain.functions.array.flipud``: Chainer's module path of ``flipud`` (implemented in
``fchain.ops.array.flipud``)."""

from __future__ import annotations

from fchain.ops.array.flipud import flipud as flipud

__all__ = ["flipud"]

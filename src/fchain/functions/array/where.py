"""``fchain.functions.array.where``: Chainer's module path of ``where`` (implemented in
``fchain.ops.array.where``)."""

from __future__ import annotations

from fchain.ops.array.where import where as where

__all__ = ["where"]

"""``fchain.functions.array.moveaxis``: Chainer's module path of ``moveaxis`` (implemented in
``fchain.ops.array.moveaxis``)."""

from __future__ import annotations

from fchain.ops.array.moveaxis import moveaxis as moveaxis

__all__ = ["moveaxis"]

"""``fchain.functions.array.select_item``: Chainer's module path of ``select_item`` (implemented in
``fchain.ops.array.select_item``)."""

from __future__ import annotations

from fchain.ops.array.select_item import select_item as select_item

__all__ = ["select_item"]

"""``fchain.functions.array.get_item``: Chainer's module path of ``get_item`` (implemented
in ``fchain.ops.array.get_item``)."""

from __future__ import annotations

from fchain.ops.array.get_item import get_item as get_item

__all__ = ["get_item"]

"""``fchain.functions.activation.hard_sigmoid``: Chainer's module path of ``hard_sigmoid`` (implemented in
``fchain.ops.activation.hard_sigmoid``)."""

from __future__ import annotations

from fchain.ops.activation.hard_sigmoid import hard_sigmoid as hard_sigmoid

__all__ = ["hard_sigmoid"]

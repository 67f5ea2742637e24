"""``fchain.functions.activation.sigmoid``: Chainer's module path of ``sigmoid``
(implemented in ``fchain.ops.activation.sigmoid``)."""

from __future__ import annotations

from fchain.ops.activation.sigmoid import sigmoid as sigmoid

__all__ = ["sigmoid"]

"""``fchain.functions.array.expand_dims``: Chainer's module path of ``expand_dims``
(implemented in ``fchain.ops.array.expand_dims``)."""

from __future__ import annotations

from fchain.ops.array.expand_dims import expand_dims as expand_dims

__all__ = ["expand_dims"]

"""``fchain.functions.array.scatter_add``: Chainer's module path of ``scatter_add`` (implemented in
``fchain.ops.array.scatter_add``)."""

from __future__ import annotations

from fchain.ops.array.scatter_add import scatter_add as scatter_add

__all__ = ["scatter_add"]

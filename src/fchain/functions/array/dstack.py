"""``fchain.functions.array.dstack``: Chainer's module path of ``dstack`` (implemented in
``fchain.ops.array.dstack``)."""

from __future__ import annotations

from fchain.ops.array.dstack import dstack as dstack

__all__ = ["dstack"]

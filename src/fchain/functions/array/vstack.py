"""``fchain.functions.array.vstack``: Chainer's module path of ``vstack`` (implemented in
``fchain.ops.array.vstack``)."""

from __future__ import annotations

from fchain.ops.array.vstack import vstack as vstack

__all__ = ["vstack"]

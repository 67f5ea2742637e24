"""``fchain.functions.array.hstack``: Chainer's module path of ``hstack`` (implemented in
``fchain.ops.array.hstack``)."""

from __future__ import annotations

from fchain.ops.array.hstack import hstack as hstack

__all__ = ["hstack"]

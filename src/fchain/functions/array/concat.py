"""``fchain.functions.array.concat``: Chainer's module path of ``concat`` (implemented in
``fchain.ops.array.concat``)."""

from __future__ import annotations

from fchain.ops.array.concat import concat as concat

__all__ = ["concat"]

"""``fchain.functions.array.stack``: Chainer's module path of ``stack`` (implemented in
``fchain.ops.array.stack``)."""

from __future__ import annotations

from fchain.ops.array.stack import stack as stack

__all__ = ["stack"]

"""``fchain.functions.activation.maxout``: Chainer's module path of ``maxout`` (implemented in
``fchain.ops.activation.maxout``)."""

from __future__ import annotations

from fchain.ops.activation.maxout import maxout as maxout

__all__ = ["maxout"]

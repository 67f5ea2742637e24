"""``fchain.functions.activation.relu``: Chainer's module path of ``relu`` (implemented in
``fchain.ops.activation.relu``)."""

from __future__ import annotations

from fchain.ops.activation.relu import relu as relu

__all__ = ["relu"]

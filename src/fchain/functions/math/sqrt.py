"""``fchain.functions.math.sqrt``: Chainer's module path of ``sqrt`` (implemented in
``fchain.ops.math.sqrt``)."""

from __future__ import annotations

from fchain.ops.math.sqrt import sqrt as sqrt

__all__ = ["sqrt"]

"""``fchain.functions.math.average``: Chainer's module path of ``average``, which is
``fchain.functions.mean`` (implemented in ``fchain.ops.math.mean``)."""

from __future__ import annotations

from fchain.ops.math.mean import mean as average

__all__ = ["average"]

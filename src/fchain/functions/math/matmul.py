"""``fchain.functions.math.matmul``: Chainer's module path of ``matmul`` (implemented in
``fchain.ops.math.matmul``)."""

from __future__ import annotations

from fchain.ops.math.matmul import matmul as matmul

__all__ = ["matmul"]

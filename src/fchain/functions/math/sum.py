"""``fchain.functions.math.sum``: Chainer's module path of ``sum``, ``sum_to`` (each
implemented in ``fchain.ops.math.<name>``)."""

from __future__ import annotations

from fchain.ops.math.sum import sum as sum
from fchain.ops.array.sum_to import sum_to as sum_to

__all__ = ["sum", "sum_to"]

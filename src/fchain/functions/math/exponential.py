"""``fchain.functions.math.exponential``: Chainer's module path of ``exp``, ``log`` (each
implemented in ``fchain.ops.math.<name>``)."""

from __future__ import annotations

from fchain.ops.math.exp import exp as exp
from fchain.ops.math.log import log as log

__all__ = ["exp", "log"]

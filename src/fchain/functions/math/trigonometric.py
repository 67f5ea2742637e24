"""``fchain.functions.math.trigonometric``: Chainer's module path of ``cos``, ``sin`` (each
implemented in ``fchain.ops.math.<name>``)."""

from __future__ import annotations

from fchain.ops.math.cos import cos as cos
from fchain.ops.math.sin import sin as sin

__all__ = ["cos", "sin"]

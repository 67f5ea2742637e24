"""``fchain.functions.math.minmax``: Chainer's module path of ``argmax``, ``argmin``,
``max``, ``min`` (each implemented in ``fchain.ops.math.<name>``)."""

from __future__ import annotations

from fchain.ops.math.argmax import argmax as argmax
from fchain.ops.math.argmin import argmin as argmin
from fchain.ops.math.max import max as max
from fchain.ops.math.min import min as min

__all__ = ["argmax", "argmin", "max", "min"]

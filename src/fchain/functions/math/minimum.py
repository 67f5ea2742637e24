"""``fchain.functions.math.minimum``: Chainer's module path of ``minimum`` (implemented in
``fchain.ops.math.minimum``)."""

from __future__ import annotations

from fchain.ops.math.minimum import minimum as minimum

__all__ = ["minimum"]

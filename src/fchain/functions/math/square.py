"""``fchain.functions.math.square``: Chainer's module path of ``square`` (implemented in
``fchain.ops.math.square``)."""

from __future__ import annotations

from fchain.ops.math.square import square as square

__all__ = ["square"]

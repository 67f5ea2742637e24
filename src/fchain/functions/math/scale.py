"""``fchain.functions.math.scale``: Chainer's module path of ``scale`` (implemented in
``fchain.ops.math.scale``)."""

from __future__ import annotations

from fchain.ops.math.scale import scale as scale

__all__ = ["scale"]

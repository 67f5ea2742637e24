"""``fchain.functions.math.bias``: Chainer's module path of ``bias`` (implemented in
``fchain.ops.math.bias``)."""

from __future__ import annotations

from fchain.ops.math.bias import bias as bias

__all__ = ["bias"]

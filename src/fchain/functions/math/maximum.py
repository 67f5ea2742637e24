"""``fchain.functions.math.maximum``: Chainer's module path of ``maximum`` (implemented in
``fchain.ops.math.maximum``)."""

from __future__ import annotations

from fchain.ops.math.maximum import maximum as maximum

__all__ = ["maximum"]

"""``fchain.functions.array.flip``: Chainer's module path of ``flip`` (implemented in
``fchain.ops.array.flip``)."""

from __future__ import annotations

from fchain.ops.array.flip import flip as flip

__all__ = ["flip"]

"""``fchain.functions.array.swapaxes``: Chainer's module path of ``swapaxes`` (implemented in
``fchain.ops.array.swapaxes``)."""

from __future__ import annotations

from fchain.ops.array.swapaxes import swapaxes as swapaxes

__all__ = ["swapaxes"]

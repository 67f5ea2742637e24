"""``fchain.functions.array.im2col``: Chainer's module path of ``im2col`` (implemented in
``fchain.ops.array.im2col``)."""

from __future__ import annotations

from fchain.ops.array.im2col import im2col as im2col

__all__ = ["im2col"]

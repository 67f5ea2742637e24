"""``fchain.functions.connection.bilinear``: Chainer's module path of ``bilinear`` (implemented in
``fchain.ops.connection.bilinear``)."""

from __future__ import annotations

from fchain.ops.connection.bilinear import bilinear as bilinear

__all__ = ["bilinear"]

"""``fchain.functions.activation.clipped_relu``: Chainer's module path of ``clipped_relu`` (implemented in
``fchain.ops.activation.clipped_relu``)."""

from __future__ import annotations

from fchain.ops.activation.clipped_relu import clipped_relu as clipped_relu

__all__ = ["clipped_relu"]

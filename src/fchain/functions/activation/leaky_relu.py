"""``fchain.functions.activation.leaky_relu``: Chainer's module path of ``leaky_relu``
(implemented in ``fchain.ops.activation.leaky_relu``)."""

from __future__ import annotations

from fchain.ops.activation.leaky_relu import leaky_relu as leaky_relu

__all__ = ["leaky_relu"]

"""``fchain.functions.activation.softmax``: Chainer's module path of ``softmax``
(implemented in ``fchain.ops.activation.softmax``)."""

from __future__ import annotations

from fchain.ops.activation.softmax import softmax as softmax

__all__ = ["softmax"]

"""``fchain.functions.activation.log_softmax``: Chainer's module path of ``log_softmax``
(implemented in ``fchain.ops.activation.log_softmax``)."""

from __future__ import annotations

from fchain.ops.activation.log_softmax import log_softmax as log_softmax

__all__ = ["log_softmax"]

"""``fchain.functions.activation.softplus``: Chainer's module path of ``softplus``
(implemented in ``fchain.ops.activation.softplus``)."""

from __future__ import annotations

from fchain.ops.activation.softplus import softplus as softplus

__all__ = ["softplus"]

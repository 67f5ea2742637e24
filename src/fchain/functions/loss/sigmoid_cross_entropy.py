"""``fchain.functions.loss.sigmoid_cross_entropy``: Chainer's module path of
``sigmoid_cross_entropy`` (implemented in ``fchain.ops.loss.sigmoid_cross_entropy``)."""

from __future__ import annotations

from fchain.ops.loss.sigmoid_cross_entropy import sigmoid_cross_entropy as sigmoid_cross_entropy

__all__ = ["sigmoid_cross_entropy"]

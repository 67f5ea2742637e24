"""``fchain.functions.loss.softmax_cross_entropy``: Chainer's module path of
``softmax_cross_entropy`` (implemented in ``fchain.ops.loss.softmax_cross_entropy``)."""

from __future__ import annotations

from fchain.ops.loss.softmax_cross_entropy import softmax_cross_entropy as softmax_cross_entropy

__all__ = ["softmax_cross_entropy"]

"""``fchain.functions.loss.huber_loss``: Chainer's module path of
``huber_loss`` (implemented in ``fchain.ops.loss.huber_loss``)."""

from __future__ import annotations

from fchain.ops.loss.huber_loss import huber_loss as huber_loss

__all__ = ["huber_loss"]

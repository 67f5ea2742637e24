"""``fchain.functions.loss.contrastive``: Chainer's module path of
``contrastive`` (implemented in ``fchain.ops.loss.contrastive``)."""

from __future__ import annotations

from fchain.ops.loss.contrastive import contrastive as contrastive

__all__ = ["contrastive"]

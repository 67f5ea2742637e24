"""``fchain.functions.loss.negative_sampling``: Chainer's module path of
``negative_sampling`` (implemented in ``fchain.ops.loss.negative_sampling``)."""

from __future__ import annotations

from fchain.ops.loss.negative_sampling import negative_sampling as negative_sampling

__all__ = ["negative_sampling"]

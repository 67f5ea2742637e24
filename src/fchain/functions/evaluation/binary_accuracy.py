"""``fchain.functions.evaluation.binary_accuracy``: Chainer's module path of
``binary_accuracy`` (implemented in ``fchain.ops.evaluation.binary_accuracy``)."""

from __future__ import annotations

from fchain.ops.evaluation.binary_accuracy import binary_accuracy as binary_accuracy

__all__ = ["binary_accuracy"]

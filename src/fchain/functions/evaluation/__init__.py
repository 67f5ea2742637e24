"""``fchain.functions.evaluation``: Chainer's module paths of its evaluation metrics
(``chainer.functions.evaluation.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.evaluation import accuracy as accuracy
from fchain.functions.evaluation import binary_accuracy as binary_accuracy

__all__ = [
    "accuracy",
    "binary_accuracy",
]

"""``fchain.functions.evaluation.accuracy``: Chainer's module path of ``accuracy``
(implemented in ``fchain.ops.evaluation.accuracy``)."""

from __future__ import annotations

from fchain.ops.evaluation.accuracy import accuracy as accuracy

__all__ = ["accuracy"]

"""``fchain.functions.loss.squared_error``: Chainer's module path of
``squared_error`` (implemented in ``fchain.ops.loss.squared_error``)."""

from __future__ import annotations

from fchain.ops.loss.squared_error import squared_error as squared_error

__all__ = ["squared_error"]

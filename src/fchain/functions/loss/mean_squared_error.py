"""``fchain.functions.loss.mean_squared_error``: Chainer's module path of
``mean_squared_error`` (implemented in ``fchain.ops.loss.mean_squared_error``)."""

from __future__ import annotations

from fchain.ops.loss.mean_squared_error import mean_squared_error as mean_squared_error

__all__ = ["mean_squared_error"]

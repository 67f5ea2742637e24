"""``fchain.functions.loss.mean_absolute_error``: Chainer's module path of
``mean_absolute_error`` (implemented in ``fchain.ops.loss.mean_absolute_error``)."""

from __future__ import annotations

from fchain.ops.loss.mean_absolute_error import mean_absolute_error as mean_absolute_error

__all__ = ["mean_absolute_error"]

"""``fchain.functions.loss.absolute_error``: Chainer's module path of
``absolute_error`` (implemented in ``fchain.ops.loss.absolute_error``)."""

from __future__ import annotations

from fchain.ops.loss.absolute_error import absolute_error as absolute_error

__all__ = ["absolute_error"]

"""``fchain.functions.loss.black_out``: Chainer's module path of
``black_out`` (implemented in ``fchain.ops.loss.black_out``)."""

from __future__ import annotations

from fchain.ops.loss.black_out import black_out as black_out

__all__ = ["black_out"]

"""``fchain.functions.array.split_axis``: Chainer's module path of ``split_axis``
(implemented in ``fchain.ops.array.split_axis``)."""

from __future__ import annotations

from fchain.ops.array.split_axis import split_axis as split_axis

__all__ = ["split_axis"]

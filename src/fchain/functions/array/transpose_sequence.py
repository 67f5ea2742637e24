"""``fchain.functions.array.transpose_sequence``: Chainer's module path of ``transpose_sequence`` (implemented in
``fchain.ops.array.transpose_sequence``)."""

from __future__ import annotations

from fchain.ops.array.transpose_sequence import transpose_sequence as transpose_sequence

__all__ = ["transpose_sequence"]

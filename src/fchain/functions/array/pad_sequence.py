"""``fchain.functions.array.pad_sequence``: Chainer's module path of ``pad_sequence`` (implemented in
``fchain.ops.array.pad_sequence``)."""

from __future__ import annotations

from fchain.ops.array.pad_sequence import pad_sequence as pad_sequence

__all__ = ["pad_sequence"]

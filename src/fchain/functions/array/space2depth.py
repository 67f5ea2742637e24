"""``fchain.functions.array.space2depth``: Chainer's module path of ``space2depth`` (implemented in
``fchain.ops.array.space2depth``)."""

from __future__ import annotations

from fchain.ops.array.space2depth import space2depth as space2depth

__all__ = ["space2depth"]

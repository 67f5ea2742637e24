"""``fchain.functions.array.fliplr``: Chainer's module path of ``fliplr`` (implemented in
``fchain.ops.array.fliplr``)."""

from __future__ import annotations

from fchain.ops.array.fliplr import fliplr as fliplr

__all__ = ["fliplr"]

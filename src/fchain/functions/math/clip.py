"""``fchain.functions.math.clip``: Chainer's module path of ``clip`` (implemented in
``fchain.ops.math.clip``)."""

from __future__ import annotations

from fchain.ops.math.clip import clip as clip

__all__ = ["clip"]

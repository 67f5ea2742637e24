"""``fchain.functions.noise.dropout``: Chainer's module path of ``dropout`` (implemented in
``fchain.ops.noise.dropout``)."""

from __future__ import annotations

from fchain.ops.noise.dropout import dropout as dropout

__all__ = ["dropout"]

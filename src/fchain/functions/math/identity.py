"""``fchain.functions.math.identity``: Chainer's module path of ``identity`` (implemented
in ``fchain.ops.array.identity``)."""

from __future__ import annotations

from fchain.ops.array.identity import identity as identity

__all__ = ["identity"]

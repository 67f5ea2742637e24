"""``fchain.functions.array.permutate``: Chainer's module path of ``permutate`` (implemented in
``fchain.ops.array.permutate``)."""

from __future__ import annotations

from fchain.ops.array.permutate import permutate as permutate

__all__ = ["permutate"]

"""``fchain.functions.array.rollaxis``: Chainer's module path of ``rollaxis`` (implemented in
``fchain.ops.array.rollaxis``)."""

from __future__ import annotations

from fchain.ops.array.rollaxis import rollaxis as rollaxis

__all__ = ["rollaxis"]

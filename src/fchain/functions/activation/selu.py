"""``fchain.functions.activation.selu``: Chainer's module path of ``selu`` (implemented in
``fchain.ops.activation.selu``)."""

from __future__ import annotations

from fchain.ops.activation.selu import selu as selu

__all__ = ["selu"]

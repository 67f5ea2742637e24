"""``fchain.functions.activation.elu``: Chainer's module path of ``elu`` (implemented in
``fchain.ops.activation.elu``)."""

from __future__ import annotations

from fchain.ops.activation.elu import elu as elu

__all__ = ["elu"]

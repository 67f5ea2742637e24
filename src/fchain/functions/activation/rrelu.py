"""``fchain.functions.activation.rrelu``: Chainer's module path of ``rrelu`` (implemented in
``fchain.ops.activation.rrelu``)."""

from __future__ import annotations

from fchain.ops.activation.rrelu import rrelu as rrelu

__all__ = ["rrelu"]

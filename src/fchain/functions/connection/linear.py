"""``fchain.functions.connection.linear``: Chainer's module path of ``linear`` (implemented
in ``fchain.ops.connection.linear``)."""

from __future__ import annotations

from fchain.ops.connection.linear import linear as linear

__all__ = ["linear"]

"""``fchain.functions.connection``: Chainer's module paths of its functions with parameters (connections)
(``chainer.functions.connection.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.connection import linear as linear

__all__ = [
    "linear",
]

"""``fchain.functions.noise``: Chainer's module paths of its noise injections
(``chainer.functions.noise.<module>.<function>``)."""

from __future__ import annotations

from fchain.functions.noise import dropout as dropout

__all__ = [
    "dropout",
]

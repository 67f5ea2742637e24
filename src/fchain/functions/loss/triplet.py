"""``fchain.functions.loss.triplet``: Chainer's module path of
``triplet`` (implemented in ``fchain.ops.loss.triplet``)."""

from __future__ import annotations

from fchain.ops.loss.triplet import triplet as triplet

__all__ = ["triplet"]

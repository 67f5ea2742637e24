"""``fchain.functions.loss.hinge``: Chainer's module path of
``hinge`` (implemented in ``fchain.ops.loss.hinge``)."""

from __future__ import annotations

from fchain.ops.loss.hinge import hinge as hinge

__all__ = ["hinge"]

"""Links of Chainer's ``connection`` category (``fchain.links.connection.linear.Linear``,
Chainer's module path)."""

from __future__ import annotations

from fchain.links.connection import linear as linear

__all__ = ["linear"]

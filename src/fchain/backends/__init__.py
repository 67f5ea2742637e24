"""``fchain.backends`` (Chainer's ``chainer.backends``): the array backends' helper
modules.  Only ``cuda`` exists: fchain has no iDeep (``intel64``) or ChainerX."""

from __future__ import annotations

from fchain.backends import cuda as cuda

__all__ = ["cuda"]

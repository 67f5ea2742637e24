"""``fchain.functions.array.cast``: Chainer's module path of ``cast`` (implemented in
``fchain.ops.array.cast``)."""

from __future__ import annotations

from fchain.ops.array.cast import cast as cast

__all__ = ["cast"]

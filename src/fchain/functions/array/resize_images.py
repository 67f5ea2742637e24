"""``fchain.functions.array.resize_images``: Chainer's module path of ``resize_images`` (implemented in
``fchain.ops.array.resize_images``)."""

from __future__ import annotations

from fchain.ops.array.resize_images import resize_images as resize_images

__all__ = ["resize_images"]

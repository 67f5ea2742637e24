"""``fchain.functions.connection.embed_id``: Chainer's module path of ``embed_id``
(implemented in ``fchain.ops.connection.embed_id``)."""

from __future__ import annotations

from fchain.ops.connection.embed_id import embed_id as embed_id

__all__ = ["embed_id"]

"""Links of Chainer's ``activation`` category, each at Chainer's module path
(``fchain.links.activation.prelu.PReLU``, ...)."""

from __future__ import annotations

from fchain.links.activation import maxout as maxout
from fchain.links.activation import prelu as prelu
from fchain.links.activation import swish as swish

__all__ = ["maxout", "prelu", "swish"]

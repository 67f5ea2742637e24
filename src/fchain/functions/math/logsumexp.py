"""``fchain.functions.math.logsumexp``: Chainer's module path of ``logsumexp`` (implemented
in ``fchain.ops.math.logsumexp``)."""

from __future__ import annotations

from fchain.ops.math.logsumexp import logsumexp as logsumexp

__all__ = ["logsumexp"]

"""``fchain.functions.loss.ctc``: Chainer's module path of
``connectionist_temporal_classification`` (implemented in ``fchain.ops.loss.ctc``)."""

from __future__ import annotations

from fchain.ops.loss.ctc import (
    connectionist_temporal_classification as connectionist_temporal_classification,
)

__all__ = ["connectionist_temporal_classification"]

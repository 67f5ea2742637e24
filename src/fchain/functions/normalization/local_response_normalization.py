"""``fchain.functions.normalization.local_response_normalization``: Chainer's module
path of ``local_response_normalization`` (implemented in
``fchain.ops.normalization.local_response_normalization``)."""

from __future__ import annotations

from fchain.ops.normalization.local_response_normalization import (
    local_response_normalization as local_response_normalization,
)

__all__ = ["local_response_normalization"]

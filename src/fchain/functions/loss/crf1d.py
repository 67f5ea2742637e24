"""``fchain.functions.loss.crf1d``: Chainer's module path of ``crf1d`` and
``argmax_crf1d`` (implemented in ``fchain.ops.loss.crf1d`` and
``fchain.ops.loss.argmax_crf1d``)."""

from __future__ import annotations

from fchain.ops.loss.argmax_crf1d import argmax_crf1d as argmax_crf1d
from fchain.ops.loss.crf1d import crf1d as crf1d

__all__ = ["argmax_crf1d", "crf1d"]

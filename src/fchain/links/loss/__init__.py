"""Links of Chainer's ``loss`` category, each at Chainer's module path
(``fchain.links.loss.negative_sampling.NegativeSampling``, ...)."""

from __future__ import annotations

from fchain.links.loss import black_out as black_out
from fchain.links.loss import crf1d as crf1d
from fchain.links.loss import hierarchical_softmax as hierarchical_softmax
from fchain.links.loss import negative_sampling as negative_sampling

__all__ = [
    "black_out",
    "crf1d",
    "hierarchical_softmax",
    "negative_sampling",
]

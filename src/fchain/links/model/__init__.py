"""Links of Chainer's ``model`` category (``fchain.links.model.classifier.Classifier``,
Chainer's module path)."""

from __future__ import annotations

from fchain.links.model import classifier as classifier

__all__ = ["classifier"]

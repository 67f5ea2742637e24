"""``fchain.links`` (``L``): Chainer's links, typed.

``L.Linear(3, 2)``, ``L.Linear(2)`` (input size from the first batch) and
``L.Classifier(predictor)``.
"""

from __future__ import annotations

# Chainer's category subpackages, named for mypy (``L.connection.linear.Linear``).
from fchain.links import connection as connection
from fchain.links import model as model
from fchain.links.connection.linear import Linear as Linear
from fchain.links.model.classifier import Classifier as Classifier

__all__ = [
    "Classifier",
    "Linear",
]

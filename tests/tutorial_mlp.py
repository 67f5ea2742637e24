"""The seed tutorial's multi-layer perceptron (three lazy ``Linear`` layers with
relu between them), for tests that need the model rather than the tutorial's text.
The tutorial tests and the typing programs keep their own literal copies."""

from __future__ import annotations

import fchain
import fchain.functions as F
import fchain.links as L
from fchain.types import Array

__all__ = ["MLP"]


class MLP(fchain.Chain):
    """``MLP(n_units, n_out)``: ``l3(relu(l2(relu(l1(x)))))``, input size inferred."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x: fchain.Variable | Array) -> fchain.Variable:
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)

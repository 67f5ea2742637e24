"""A downstream vision program using the activation and array functions of issue 12
as Chainer 7 code calls them; ``mypy --strict`` must accept it (checked by the main
mypy run) and ``test_downstream_programs.py`` runs it.

The typed pattern: every function returns a ``Variable``; ``rrelu(...,
return_r=True)`` returns ``(Variable, Array)``; learnable slopes are ``Parameter``s.
"""

from __future__ import annotations

import numpy as np

import fchain.functions as F
from fchain import Parameter, Variable
from fchain.types import Array


def transform(x: Variable | Array, theta: Variable | Array) -> Variable:
    """A spatial transformer's warp, then Chainer's usual resizing and padding."""
    grid = F.spatial_transformer_grid(theta, (8, 8))
    warped = F.spatial_transformer_sampler(x, grid)
    big = F.resize_images(warped, (16, 16), mode="bilinear", align_corners=False)
    padded = F.pad(big, ((0, 0), (0, 0), (1, 1), (1, 1)), "reflect")
    return F.space2depth(F.flip(padded[:, :, 1:-1, 1:-1], axis=3), 2)


def main() -> float:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    theta = Parameter(np.tile(np.array([[1.0, 0.1, 0.0], [0.0, 0.9, 0.1]], dtype=np.float32), (2, 1, 1)))
    slope = Parameter(np.full((12,), 0.25, dtype=np.float32))
    h = F.prelu(transform(x, theta), slope)
    h = F.maxout(F.swish(h, np.ones((12,), dtype=np.float32)), 2)
    h2, r = F.rrelu(F.selu(h), return_r=True)
    slopes: Array = r
    y = F.sum(F.hstack([F.clipped_relu(h2, 1.0), F.hard_sigmoid(h2)])) + F.sum(F.crelu(h2)) * 0.5
    y.backward()
    assert theta.grad is not None and slope.grad is not None and slopes.shape == h.shape
    return float(y.array)

"""fchain's random source for stochastic functions (dropout masks, rrelu slopes, ...).

One module-level ``numpy.random.Generator`` serves CPU arrays; CuPy arrays get a
CuPy generator derived from it, so ``seed(n)`` makes both reproducible.  Masks are
drawn here, in the stateful shell, and handed to the pure op rules as inputs.
"""

from __future__ import annotations

from typing import Any, cast

import numpy

from fchain.core import backend
from fchain.errors import DTypeError
from fchain.types import Array

__all__ = ["get_generator", "random_mask", "seed", "uniform", "uniform01"]

_generator = numpy.random.default_rng()
_cupy_generator: Any = None


def seed(n: int | None = None) -> None:
    """Reseed fchain's generators (``None``: fresh entropy from the OS)."""
    global _generator, _cupy_generator
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
        raise ValueError(f"seed: expected a non-negative int or None, got {n!r}")
    _generator = numpy.random.default_rng(n)
    _cupy_generator = None


def get_generator() -> numpy.random.Generator:
    """The ``numpy.random.Generator`` fchain draws CPU randomness from."""
    return _generator


def _cupy_rng() -> Any:
    global _cupy_generator
    if _cupy_generator is None:
        cp = backend.cupy_module()
        assert cp is not None
        _cupy_generator = cp.random.default_rng(int(_generator.integers(2**63)))
    return _cupy_generator


def _uniform_dtype(dtype: numpy.dtype[Any]) -> type[numpy.floating[Any]]:
    return numpy.float64 if dtype == numpy.float64 else numpy.float32


def random_mask(x: Array, ratio: float) -> Array:
    """A dropout mask for ``x``: ``1 / (1 - ratio)`` with probability ``1 - ratio``,
    else 0, in ``x``'s dtype (which must be floating: the scale is a fraction) and
    on ``x``'s device."""
    if x.dtype.kind != "f":
        raise DTypeError(f"random_mask: x must be a floating-point array, got dtype {x.dtype}")
    scale = 1.0 / (1.0 - ratio)
    if backend.is_cupy_array(x):
        u = _cupy_rng().random(x.shape, dtype=_uniform_dtype(x.dtype))
    else:
        u = _generator.random(x.shape, dtype=_uniform_dtype(x.dtype))
    mask = cast(Array, u >= ratio).astype(x.dtype)
    mask *= scale
    return mask


def uniform(like: Array, low: float, high: float) -> Array:
    """Uniform samples in ``[low, high)`` of ``like``'s shape, drawn in float64 and
    cast to ``like``'s dtype, on ``like``'s device (``rrelu``'s random slopes)."""
    rng = _cupy_rng() if backend.is_cupy_array(like) else _generator
    u = rng.random(like.shape)  # float64 in [0, 1); low + (high - low) * u is numpy's uniform
    u *= high - low
    u += low
    return cast(Array, u).astype(like.dtype, copy=False)


def uniform01(shape: tuple[int, ...], like: Array) -> Array:
    """float64 samples in ``[0, 1)`` of ``shape``, on ``like``'s device (a numpy or
    CuPy array that says where: ``WalkerAlias`` draws next to its tables)."""
    rng = _cupy_rng() if backend.is_cupy_array(like) else _generator
    return cast(Array, rng.random(shape))

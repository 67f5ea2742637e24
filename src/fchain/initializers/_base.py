"""The initializer protocol, fan computation, ``generate_array`` and the random source.

An initializer fills an array in place: ``initializer(array)``.  Random ones draw
on the host with numpy and copy the result to the array's device, so a seed gives
the same numbers on the CPU and on a GPU.

Where the random numbers come from, in order:

1. the initializer's own ``rng=`` (a ``numpy.random.Generator`` or ``RandomState``);
2. the generator installed by :func:`set_random_seed` or :func:`set_rng`;
3. otherwise numpy's global legacy generator (``numpy.random.normal``, ...), which
   is exactly what Chainer draws from on the CPU: ``numpy.random.seed(0)`` before
   building a model gives Chainer's initial weights, draw for draw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy
import numpy.typing as npt

from fchain.core import backend
from fchain.errors import DTypeError, ShapeError
from fchain.graph.config import config
from fchain.types import Array, ArrayNamespace, DTypeLike

__all__ = [
    "Initializer",
    "InitializerLike",
    "RandomSource",
    "generate_array",
    "get_fans",
    "get_rng",
    "set_random_seed",
    "set_rng",
]

RandomSource: TypeAlias = numpy.random.Generator | numpy.random.RandomState
"""What ``rng=`` accepts: numpy's ``Generator`` (``numpy.random.default_rng(0)``) or a
legacy ``RandomState``."""

_rng: RandomSource | None = None


def set_random_seed(seed: int | None) -> None:
    """Draw every later initialization from ``numpy.random.default_rng(seed)``.

    The same seed builds the same model on every run and on every device.
    ``None`` gives a generator seeded from the operating system.
    """
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"set_random_seed: seed must be a non-negative int or None, got {seed!r}")
    set_rng(numpy.random.default_rng(seed))


def set_rng(rng: RandomSource | None) -> None:
    """Install ``rng`` as the default random source of the initializers.

    ``None`` goes back to numpy's global generator (Chainer's behaviour, seeded by
    ``numpy.random.seed``).
    """
    global _rng
    if rng is not None and not isinstance(rng, (numpy.random.Generator, numpy.random.RandomState)):
        raise TypeError(
            f"set_rng: expected a numpy.random.Generator, a RandomState or None, got {type(rng).__name__}")
    _rng = rng


def get_rng() -> RandomSource | None:
    """The installed random source, or ``None`` while numpy's global one is used."""
    return _rng


def _source(rng: RandomSource | None) -> RandomSource | None:
    return rng if rng is not None else _rng


def draw_normal(rng: RandomSource | None, scale: float, shape: tuple[int, ...]) -> npt.NDArray[numpy.float64]:
    """Float64 draws from N(0, scale^2), host side."""
    src = _source(rng)
    if src is None:
        return numpy.asarray(numpy.random.normal(loc=0.0, scale=scale, size=shape), dtype=numpy.float64)
    return numpy.asarray(src.normal(loc=0.0, scale=scale, size=shape), dtype=numpy.float64)


def draw_uniform(rng: RandomSource | None, low: float, high: float,
                 shape: tuple[int, ...]) -> npt.NDArray[numpy.float64]:
    """Float64 draws from U[low, high), host side."""
    src = _source(rng)
    if src is None:
        return numpy.asarray(numpy.random.uniform(low=low, high=high, size=shape), dtype=numpy.float64)
    return numpy.asarray(src.uniform(low=low, high=high, size=shape), dtype=numpy.float64)


def draw_bit(rng: RandomSource | None) -> int:
    """0 or 1 with equal probability."""
    src = _source(rng)
    if src is None:
        return int(numpy.random.randint(2))
    if isinstance(src, numpy.random.Generator):
        return int(src.integers(2))
    return int(src.randint(2))


class Initializer:
    """Base of fchain's initializers (Chainer's ``chainer.Initializer``).

    ``dtype``: the dtype the initializer produces, or ``None`` to follow
    ``fchain.config.dtype``.  Subclasses implement ``__call__(array)``, which
    fills ``array`` in place.
    """

    dtype: numpy.dtype[Any] | None

    def __init__(self, dtype: DTypeLike | None = None) -> None:
        self.dtype = None if dtype is None else numpy.dtype(dtype)

    def __call__(self, array: Array) -> None:
        """Fill ``array`` in place."""
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__(array)")

    def _check_dtype(self, array: Array) -> None:
        if self.dtype is not None and array.dtype != self.dtype:
            raise DTypeError(
                f"{type(self).__name__}: array has dtype {array.dtype} but the initializer "
                f"was made for {self.dtype}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "rng")
        return f"{type(self).__name__}({fields})"


InitializerLike: TypeAlias = Initializer | Callable[[Array], None] | Array | float | None
"""What links accept as ``initialW``/``initial_bias``: an initializer, any callable
that fills an array in place, an array or a scalar (a constant), or ``None`` (the
link's default)."""


def fill(array: Array, host: npt.NDArray[Any]) -> None:
    """Copy the host array ``host`` into ``array`` (numpy or CuPy), casting to its dtype."""
    if backend.is_cupy_array(array):
        array[...] = backend.namespace_of(array).asarray(host, dtype=array.dtype)
    else:
        array[...] = host


def get_fans(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` = ``(out, in, *receptive)``.

    ``fan_in = in * prod(receptive)``, ``fan_out = out * prod(receptive)``.
    """
    dims = tuple(int(n) for n in shape)
    if len(dims) < 2:
        raise ShapeError(f"get_fans: shape must have at least 2 axes (out, in, ...), got {dims}")
    receptive = 1
    for n in dims[2:]:
        receptive *= n
    return dims[1] * receptive, dims[0] * receptive


def generate_array(initializer: Callable[[Array], None], shape: int | Sequence[int],
                   xp: ArrayNamespace, dtype: DTypeLike | None = None) -> Array:
    """A new array of ``shape`` on ``xp`` filled by ``initializer``.

    The dtype is ``dtype``, else the initializer's ``dtype``, else
    ``fchain.config.dtype``; giving both and disagreeing is an error.
    """
    own = getattr(initializer, "dtype", None)
    if dtype is not None and own is not None and numpy.dtype(dtype) != numpy.dtype(own):
        raise DTypeError(
            f"generate_array: dtype={numpy.dtype(dtype)} disagrees with the initializer's dtype "
            f"{numpy.dtype(own)}")
    chosen = dtype if dtype is not None else own
    final: numpy.dtype[Any] = numpy.dtype(chosen) if chosen is not None else numpy.dtype(config.dtype)
    dims = (int(shape),) if isinstance(shape, int) else tuple(int(n) for n in shape)
    array = xp.zeros(dims, dtype=final)
    initializer(array)
    return array

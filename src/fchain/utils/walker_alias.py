"""``WalkerAlias``: Walker's alias method, Chainer's sampler for ``F.negative_sampling``.

It draws integers ``i`` with probability ``probs[i] / sum(probs)`` in constant time
per sample.  The tables are built once, with Vose's pairing of an under-full slot
with an over-full one: slot ``j`` keeps its own item with probability
``threshold[j]`` and gives its alias ``values[2 j + 1]`` otherwise
(``values[2 j]`` is the slot's own item ``j``; Chainer's layout).  A sample takes a
uniform ``u`` in ``[0, 1)`` from fchain's random source
(``fchain.graph.random``, reseedable with ``fchain.graph.random.seed``), the slot
``floor(n u)`` and the alias when the fraction ``n u - slot`` reaches the threshold.

Differences from Chainer's class, deliberately: the thresholds are float64
(Chainer's are float32), so the sampled distribution is ``probs`` to within
float64 rounding, and the alias is taken when the fraction is ``>=`` the
threshold (Chainer: ``>``), so an item of probability 0 is never drawn, not even
with probability ``2**-53``.  The tables themselves differ from Chainer's (another
pairing of the slots); the distribution they sample is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy

from fchain.core import backend
from fchain.graph.device import Device, get_device, get_device_from_array
from fchain.graph.random import uniform01
from fchain.types import Array

__all__ = ["WalkerAlias"]


def _probabilities(probs: Sequence[float] | Array) -> Array:
    """``probs`` checked (1-d, non-empty, finite, non-negative, positive sum) and
    normalized, as float64 on the host."""
    raw = backend.to_numpy(cast(Array, probs)) if backend.is_cupy_array(probs) else probs
    try:
        p = numpy.array(raw, dtype=numpy.float64)
    except (TypeError, ValueError):
        raise TypeError(f"WalkerAlias: probs must be a sequence of real numbers, got {type(probs).__name__}") from None
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"WalkerAlias: probs must be a non-empty 1-d sequence, got shape {p.shape}")
    if not numpy.isfinite(p).all() or (p < 0).any():
        raise ValueError("WalkerAlias: every entry of probs must be finite and non-negative")
    total = float(p.sum())
    if not total > 0.0:
        raise ValueError("WalkerAlias: probs must have a positive sum")
    normalized: Array = p / total
    return normalized


def _tables(p: Array) -> tuple[Array, Array]:
    """Vose's alias tables of the normalized probabilities ``p``: each slot's
    threshold (the probability of keeping its own item) and its alias."""
    n = p.size
    scaled = (p * n).tolist()
    threshold = numpy.ones(n, dtype=numpy.float64)
    alias = numpy.arange(n, dtype=numpy.int32)
    under = [j for j in range(n) if scaled[j] < 1.0]
    over = [j for j in range(n) if scaled[j] >= 1.0]
    while under and over:
        j, k = under.pop(), over[-1]
        threshold[j] = scaled[j]
        alias[j] = k
        scaled[k] -= 1.0 - scaled[j]  # k gives slot j the rest of its width
        if scaled[k] < 1.0:
            under.append(over.pop())
    # What is left in either list is full to within rounding: it keeps its own item.
    return threshold, alias


class WalkerAlias:
    """Samples ``i`` with probability ``probs[i] / sum(probs)`` (Walker's alias method).

    Args:
        probs: Non-negative weights, one per item; normalized by their sum.

    Attributes:
        threshold: Per slot, the probability of keeping the slot's own item
            (float64, shape ``(n,)``).
        values: Per slot ``j``, its own item ``values[2 j] == j`` and its alias
            ``values[2 j + 1]`` (int32, shape ``(2 n,)``).

    >>> import fchain
    >>> fchain.graph.random.seed(0)
    >>> sampler = WalkerAlias([0.0, 3.0, 1.0])
    >>> s = sampler.sample((2, 4))
    >>> s.shape, s.dtype.name, bool((s != 0).all())
    ((2, 4), 'int32', True)
    """

    def __init__(self, probs: Sequence[float] | Array) -> None:
        threshold, alias = _tables(_probabilities(probs))
        values = numpy.empty(2 * threshold.size, dtype=numpy.int32)
        values[0::2] = numpy.arange(threshold.size, dtype=numpy.int32)
        values[1::2] = alias
        self.threshold: Array = threshold
        self.values: Array = values

    @property
    def device(self) -> Device:
        """Where the tables live, and so where samples are drawn."""
        return get_device_from_array(self.threshold)

    @property
    def use_gpu(self) -> bool:
        """Whether the tables are on a GPU (samples are then CuPy arrays)."""
        return backend.is_cupy_array(self.threshold)

    def to_device(self, device: object) -> WalkerAlias:
        """Move the tables to ``device`` (``'@numpy'``, ``'@cupy:N'``, a Device, ...);
        returns ``self``."""
        target = get_device(device)
        self.threshold = target.send(self.threshold)
        self.values = target.send(self.values)
        return self

    def to_cpu(self) -> WalkerAlias:
        """Move the tables to the host; returns ``self``."""
        return self.to_device("@numpy")

    def to_gpu(self, device: int | None = None) -> WalkerAlias:
        """Move the tables to GPU ``device`` (0 when omitted); returns ``self``."""
        return self.to_device(f"@cupy:{0 if device is None else int(device)}")

    def sample(self, shape: int | tuple[int, ...]) -> Array:
        """An int32 array of ``shape`` of independent samples, on the tables' device."""
        dims = _shape(shape)
        n = self.threshold.shape[0]
        xp = backend.namespace_of(self.threshold)
        u = uniform01(dims, self.threshold) * n
        slot = xp.minimum(u.astype(xp.int32), n - 1)  # u < n, but n * (1 - 2**-53) may round to n
        alias = self.threshold[slot] <= u - slot
        picked: Array = self.values[slot * 2 + alias]
        return picked

    def __repr__(self) -> str:
        return f"WalkerAlias(n={self.threshold.shape[0]}, device={self.device})"


def _shape(shape: object) -> tuple[int, ...]:
    """A sample shape: an int or a tuple of non-negative ints."""
    dims = (shape,) if isinstance(shape, (int, numpy.integer)) else shape
    if not isinstance(dims, (tuple, list)) or not all(
            isinstance(d, (int, numpy.integer)) and not isinstance(d, bool) and d >= 0 for d in dims):
        raise TypeError(f"WalkerAlias.sample: shape must be an int or a tuple of non-negative ints, got {shape!r}")
    return tuple(int(d) for d in dims)

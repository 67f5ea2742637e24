"""Order samplers: what decides the order of examples in each epoch."""

from __future__ import annotations

import copy
import json
from typing import Any, TypeAlias

import numpy

from fchain.errors import SerializationError
from fchain.facade.serializer import AbstractSerializer
from fchain.types import Array

__all__ = ["OrderSampler", "RandomSource", "ShuffleOrderSampler"]

RandomSource: TypeAlias = int | numpy.random.Generator | numpy.random.RandomState | None
"""A seed, a generator, a legacy ``RandomState``, or ``None`` (numpy's global
``RandomState``, as in Chainer)."""


class OrderSampler:
    """Base class: ``sampler(current_order, current_position)`` returns the order of
    the next epoch (same length).  Iterators call it once when they are created or
    reset, and once at the end of every epoch."""

    def __call__(self, current_order: Array, current_position: int) -> Array:
        raise NotImplementedError

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Save or load the sampler's state (nothing by default)."""


class ShuffleOrderSampler(OrderSampler):
    """A fresh random permutation every epoch.

    ``random_state`` is a ``numpy.random.Generator``, a ``RandomState``, an int seed
    (a new ``Generator``), or ``None``: numpy's global ``RandomState``, exactly as
    Chainer, so ``numpy.random.seed(s)`` reproduces Chainer's orders.

    A generator the sampler owns (any but the global one) is saved in snapshots, under
    ``order_sampler/rng_state`` below the iterator's keys (a JSON string; fchain's
    addition, ignored by Chainer), so a resumed run draws the same orders as an
    uninterrupted one.
    """

    def __init__(self, random_state: RandomSource = None) -> None:
        if random_state is None:
            self._random: numpy.random.Generator | numpy.random.RandomState = (
                numpy.random.mtrand._rand
            )
            self._owned = False
        elif isinstance(random_state, (numpy.random.Generator, numpy.random.RandomState)):
            self._random = random_state
            self._owned = True
        elif isinstance(random_state, (int, numpy.integer)) and not isinstance(random_state, bool):
            self._random = numpy.random.default_rng(int(random_state))
            self._owned = True
        else:
            raise TypeError(
                "ShuffleOrderSampler: random_state must be an int seed, a "
                f"numpy.random.Generator, a RandomState or None, got {type(random_state).__name__}"
            )

    def __call__(self, current_order: Array, current_position: int) -> Array:
        return self._random.permutation(len(current_order))

    @property
    def random_state(self) -> numpy.random.Generator | numpy.random.RandomState:
        """The generator the permutations are drawn from."""
        return self._random

    # Any: numpy's own generator state, which numpy types as ``dict[str, Any]``.
    def get_rng_state(self) -> dict[str, Any] | None:
        """A copy of the generator's state (``None`` for numpy's global one, which
        the sampler does not own)."""
        if not self._owned:
            return None
        if isinstance(self._random, numpy.random.Generator):
            return {"kind": "Generator", "state": copy.deepcopy(self._random.bit_generator.state)}
        return {"kind": "RandomState", "state": copy.deepcopy(self._random.get_state(legacy=False))}

    # Any: numpy's own generator state, which numpy types as ``dict[str, Any]``.
    def set_rng_state(self, state: dict[str, Any] | None) -> None:
        """Restore a state returned by ``get_rng_state``."""
        if state is None or not self._owned:
            return
        kind = "Generator" if isinstance(self._random, numpy.random.Generator) else "RandomState"
        if state.get("kind") != kind:
            raise SerializationError(
                f"ShuffleOrderSampler: the saved generator is a {state.get('kind')} but this "
                f"sampler uses a {kind}"
            )
        try:
            if isinstance(self._random, numpy.random.Generator):
                self._random.bit_generator.state = state["state"]
            else:
                self._random.set_state(state["state"])
        except (ValueError, TypeError, KeyError) as e:
            raise SerializationError(
                f"ShuffleOrderSampler: cannot restore the saved generator state: {e}"
            ) from None

    def serialize(self, serializer: AbstractSerializer) -> None:
        state = self.get_rng_state()
        if state is None:
            return
        try:
            stored = serializer("rng_state", _encode(state))
        except KeyError:  # a snapshot without it (written by Chainer): keep ours
            return
        self.set_rng_state(_decode(stored))


def _to_json(obj: object) -> object:
    if isinstance(obj, numpy.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype)}
    if isinstance(obj, dict):
        return {str(k): _to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_json(v) for v in obj]
    if isinstance(obj, numpy.generic):
        return obj.item()
    return obj


def _from_json(obj: object) -> object:
    if isinstance(obj, dict):
        if "__ndarray__" in obj:
            return numpy.asarray(obj["__ndarray__"], dtype=obj["dtype"])
        return {k: _from_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_from_json(v) for v in obj]
    return obj


def _encode(state: dict[str, Any]) -> str:
    return json.dumps(_to_json(state), sort_keys=True)


def _decode(stored: object) -> dict[str, Any]:
    if isinstance(stored, numpy.ndarray):
        stored = stored.item() if stored.ndim == 0 else stored
    if isinstance(stored, bytes):
        stored = stored.decode("utf-8")
    if not isinstance(stored, str):
        raise SerializationError(
            f"ShuffleOrderSampler: rng_state must be a JSON string, got {type(stored).__name__}"
        )
    try:
        decoded = _from_json(json.loads(stored))
    except ValueError as e:
        raise SerializationError(f"ShuffleOrderSampler: rng_state is not valid JSON: {e}") from None
    if not isinstance(decoded, dict):
        raise SerializationError("ShuffleOrderSampler: rng_state must be a JSON object")
    return decoded

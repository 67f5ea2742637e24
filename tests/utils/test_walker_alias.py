"""``fchain.utils.WalkerAlias``: the tables sample exactly the given distribution,
samples are int32 arrays of the asked shape from fchain's random source, and bad
probabilities are refused with a message naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy
import pytest

import fchain
from fchain.graph import random as fchain_random
from fchain.types import Array
from fchain.utils import WalkerAlias
from tests.conftest import requires_gpu


def _implied(sampler: WalkerAlias) -> Array:
    """The probability of each item under the tables: its own slot's threshold plus
    the remainders of the slots that alias it, each slot drawn with chance 1/n."""
    threshold, values = sampler.threshold, sampler.values
    n = threshold.size
    p = numpy.zeros(n)
    for slot in range(n):
        assert values[2 * slot] == slot
        p[slot] += threshold[slot]
        p[values[2 * slot + 1]] += 1.0 - threshold[slot]
    out: Array = p / n
    return out


PROBS: list[Sequence[float]] = [
    [1.0],
    [0.0, 3.0, 1.0],
    [0.5, 0.5],
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    [1e-9, 1.0, 1e-6, 0.0, 2.5],
    list(numpy.random.default_rng(3).uniform(size=1000) ** 3),
]


@pytest.mark.parametrize("probs", PROBS, ids=[str(len(p)) + "-" + str(i) for i, p in enumerate(PROBS)])
def test_the_tables_give_the_normalized_probabilities(probs: Sequence[float]) -> None:
    sampler = WalkerAlias(probs)
    expected = numpy.asarray(probs, dtype=numpy.float64) / numpy.sum(probs)
    numpy.testing.assert_allclose(_implied(sampler), expected, rtol=1e-9, atol=1e-15)
    assert sampler.threshold.dtype == numpy.float64 and sampler.values.dtype == numpy.int32
    assert ((sampler.threshold >= 0) & (sampler.threshold <= 1)).all()


def test_samples_follow_the_distribution_and_never_give_an_impossible_item() -> None:
    probs = numpy.array([0.0, 3.0, 1.0, 0.5, 0.0, 2.0])
    fchain_random.seed(7)
    s = WalkerAlias(probs).sample((500, 400))
    assert s.dtype == numpy.int32 and s.shape == (500, 400)
    counts = numpy.bincount(s.ravel(), minlength=6) / s.size
    assert counts[0] == 0.0 and counts[4] == 0.0
    # 200000 draws: the standard error of each frequency is below 0.0012
    numpy.testing.assert_allclose(counts, probs / probs.sum(), atol=0.006)


def test_sampling_is_reproducible_with_fchains_seed() -> None:
    sampler = WalkerAlias([1.0, 2.0, 3.0])
    fchain_random.seed(11)
    a = sampler.sample(20)
    fchain_random.seed(11)
    b = sampler.sample((20,))
    numpy.testing.assert_array_equal(a, b)
    assert a.shape == (20,) and sampler.sample(()).shape == ()


def test_a_single_item_is_always_drawn() -> None:
    numpy.testing.assert_array_equal(WalkerAlias([0.3]).sample((3, 2)), numpy.zeros((3, 2), numpy.int32))


def test_the_device_moves_are_chainers_calls_on_the_cpu() -> None:
    sampler = WalkerAlias([1.0, 1.0])
    assert sampler.to_cpu() is sampler and sampler.device == fchain.get_device("@numpy")
    assert not sampler.use_gpu
    assert isinstance(sampler.sample(3), numpy.ndarray)
    assert "n=2" in repr(sampler)


@pytest.mark.gpu
@requires_gpu
def test_on_the_gpu_the_samples_are_cupy_arrays_of_the_same_distribution() -> None:
    import cupy

    probs = numpy.array([0.0, 3.0, 1.0, 2.0])
    sampler = WalkerAlias(probs).to_gpu()
    assert sampler.use_gpu and isinstance(sampler.threshold, cupy.ndarray)
    fchain_random.seed(5)
    s = sampler.sample((400, 500))
    assert isinstance(s, cupy.ndarray) and s.dtype == numpy.int32
    counts = numpy.bincount(cupy.asnumpy(s).ravel(), minlength=4) / s.size
    assert counts[0] == 0.0
    numpy.testing.assert_allclose(counts, probs / probs.sum(), atol=0.006)
    assert isinstance(sampler.to_cpu().sample(2), numpy.ndarray)


@pytest.mark.parametrize(("probs", "kind", "message"), [
    ([], ValueError, r"WalkerAlias: probs must be a non-empty 1-d sequence, got shape \(0,\)"),
    ([[1.0, 2.0]], ValueError, r"WalkerAlias: probs must be a non-empty 1-d sequence, got shape \(1, 2\)"),
    ([1.0, -0.5], ValueError, "WalkerAlias: every entry of probs must be finite and non-negative"),
    ([1.0, float("nan")], ValueError, "WalkerAlias: every entry of probs must be finite and non-negative"),
    ([0.0, 0.0], ValueError, "WalkerAlias: probs must have a positive sum"),
    (["a", "b"], TypeError, "WalkerAlias: probs must be a sequence of real numbers, got list"),
])
def test_bad_probabilities_are_refused(probs: object, kind: type[Exception], message: str) -> None:
    with pytest.raises(kind, match="^" + message + "$"):
        WalkerAlias(probs)  # type: ignore[arg-type]  # the mistakes under test


@pytest.mark.parametrize("shape", [(2.0,), "ab", (-1, 2), (True,)])
def test_a_bad_sample_shape_is_refused(shape: object) -> None:
    with pytest.raises(TypeError, match="^WalkerAlias.sample: shape must be an int or a tuple of non-negative ints"):
        WalkerAlias([1.0]).sample(shape)  # type: ignore[arg-type]  # the mistakes under test

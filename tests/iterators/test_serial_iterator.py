"""SerialIterator against an independent model of Chainer's order semantics.

Model: the sequence of epoch orders is ``o_0, o_1, ...`` (the first from the sampler
at reset, one more each time an epoch ends); with ``repeat=True`` the examples form
the stream ``o_0 ++ o_1 ++ ...`` and batch ``k`` is ``stream[k*b:(k+1)*b]``; with
``repeat=False`` batches are cut at the end of ``o_0`` and iteration stops.
"""

from __future__ import annotations

import os
import tempfile

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fchain.iterators import OrderSampler, SerialIterator, ShuffleOrderSampler
from fchain.serializers import load_npz, save_npz
from fchain.types import Array

from tests.iterators._helpers import DictLoader, DictSaver


def epoch_orders(n: int, seed: int, count: int) -> list[list[int]]:
    rng = numpy.random.default_rng(seed)
    return [rng.permutation(n).tolist() for _ in range(count)]


@given(
    n=st.integers(1, 12),
    batch_size=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 25),
)
def test_repeat_matches_stream_model(n: int, batch_size: int, seed: int, steps: int) -> None:
    data = [f"x{i}" for i in range(n)]
    it = SerialIterator(data, batch_size, seed=seed)
    orders = epoch_orders(n, seed, steps * batch_size // n + 3)
    stream = [i for order in orders for i in order]
    for k in range(steps):
        batch = it.next()
        done = (k + 1) * batch_size
        assert batch == [data[i] for i in stream[k * batch_size:done]]
        assert it.epoch == done // n
        assert it.current_position == done % n
        assert it.is_new_epoch == (done // n > k * batch_size // n)
        assert it.epoch_detail == pytest.approx(done / n)
        assert it.previous_epoch_detail == pytest.approx(k * batch_size / n)


@given(n=st.integers(1, 12), batch_size=st.integers(1, 15), shuffle=st.booleans(),
       seed=st.integers(0, 1000))
def test_no_repeat_stops_after_one_epoch(n: int, batch_size: int, shuffle: bool, seed: int) -> None:
    data = list(range(100, 100 + n))
    it = SerialIterator(data, batch_size, repeat=False, shuffle=shuffle,
                        seed=seed if shuffle else None)
    order = epoch_orders(n, seed, 1)[0] if shuffle else list(range(n))
    batches = list(it)
    expected = [[data[i] for i in order[s:s + batch_size]] for s in range(0, n, batch_size)]
    assert batches == expected
    assert it.epoch == 1 and it.is_new_epoch and it.current_position == 0
    assert it.epoch_detail == 1.0
    with pytest.raises(StopIteration):
        it.next()
    assert it.epoch == 1


def test_worked_example_without_shuffle() -> None:
    it = SerialIterator(list(range(5)), 2, shuffle=False)
    rows = []
    for _ in range(5):
        b = it.next()
        rows.append((b, it.epoch, it.current_position, it.is_new_epoch))
    assert rows == [
        ([0, 1], 0, 2, False),
        ([2, 3], 0, 4, False),
        ([4, 0], 1, 1, True),
        ([1, 2], 1, 3, False),
        ([3, 4], 2, 0, True),
    ]
    assert it.previous_epoch_detail == pytest.approx(1.6)


def test_previous_epoch_detail_before_first_batch_is_none() -> None:
    it = SerialIterator([1, 2, 3], 2)
    assert it.previous_epoch_detail is None and it.epoch_detail == 0.0
    it.next()
    assert it.previous_epoch_detail == 0.0


def test_batch_larger_than_dataset_spans_epochs() -> None:
    it = SerialIterator([0, 1, 2], 7, shuffle=False)
    assert it.next() == [0, 1, 2, 0, 1, 2, 0]
    assert it.epoch == 2 and it.current_position == 1 and it.is_new_epoch
    it2 = SerialIterator([0, 1, 2], 7, repeat=False, shuffle=False)
    assert it2.next() == [0, 1, 2]
    with pytest.raises(StopIteration):
        it2.next()


class Recorder(OrderSampler):
    """Reverses the order each epoch and records how it was called."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[int], int]] = []

    def __call__(self, current_order: Array, current_position: int) -> Array:
        self.calls.append((current_order.tolist(), current_position))
        return current_order[::-1].copy()


def test_order_sampler_called_at_reset_and_each_epoch_end() -> None:
    sampler = Recorder()
    it = SerialIterator(list(range(4)), 3, order_sampler=sampler)
    assert sampler.calls == [([0, 1, 2, 3], 0)]
    assert it.next() == [3, 2, 1]
    assert it.next() == [0, 0, 1]  # end of epoch at position 3, new order [0, 1, 2, 3]
    assert sampler.calls[1] == ([3, 2, 1, 0], 3)
    assert it.next() == [2, 3, 3]
    assert sampler.calls[2] == ([0, 1, 2, 3], 2)


def test_order_sampler_sets_epoch_size_and_must_keep_it() -> None:
    # The first order may over- or under-sample; its length is the epoch size.
    it = SerialIterator(list(range(4)), 3, order_sampler=lambda order, pos: numpy.tile(order, 2))
    assert it.next() == [0, 1, 2]
    assert it.next() == [3, 0, 1]
    assert it.epoch == 0 and it.epoch_detail == pytest.approx(6 / 8)
    shrink = SerialIterator(list(range(4)), 2,
                            order_sampler=lambda order, pos: order[: max(len(order) - 1, 1)])
    assert shrink.next() == [0, 1]  # epoch size 3
    with pytest.raises(ValueError, match="size of order does not match the size of the previous"):
        shrink.next()


def test_argument_rules() -> None:
    with pytest.raises(ValueError, match="`shuffle` is not `None` and a custom `order_sampler`"):
        SerialIterator([1], 1, shuffle=True, order_sampler=ShuffleOrderSampler())
    with pytest.raises(ValueError, match="seed= has no effect with shuffle=False"):
        SerialIterator([1], 1, shuffle=False, seed=3)
    with pytest.raises(ValueError, match="give your order_sampler its own random state"):
        SerialIterator([1], 1, order_sampler=ShuffleOrderSampler(), seed=3)
    with pytest.raises(ValueError, match="batch_size must be positive, got 0"):
        SerialIterator([1], 0)
    with pytest.raises(TypeError, match="batch_size must be an int, got float"):
        SerialIterator([1], 2.0)  # type: ignore[arg-type]  # the check under test
    with pytest.raises(ValueError, match="the dataset is empty"):
        SerialIterator([], 2).next()
    empty: SerialIterator[int] = SerialIterator([], 2, repeat=False)
    with pytest.raises(StopIteration):
        empty.next()
    assert empty.epoch == 1 and empty.epoch_detail == 1.0


def test_default_shuffle_follows_numpy_global_seed() -> None:
    # Chainer's default: numpy's global RandomState, so numpy.random.seed reproduces it.
    numpy.random.seed(11)
    first = [SerialIterator(list(range(10)), 4).next() for _ in range(1)]
    numpy.random.seed(11)
    again = [SerialIterator(list(range(10)), 4).next() for _ in range(1)]
    numpy.random.seed(11)
    expected = numpy.random.permutation(10)[:4].tolist()
    assert first == again == [expected]


def test_reset_restarts_the_epoch() -> None:
    it = SerialIterator(list(range(6)), 4, seed=0)
    it.next()
    it.next()
    it.reset()
    assert (it.epoch, it.current_position, it.is_new_epoch) == (0, 0, False)
    assert it.previous_epoch_detail is None
    # The order after reset is the generator's next permutation.
    orders = epoch_orders(6, 0, 3)
    assert it.next() == orders[2][:4]


# ------------------------------------------------------------------ snapshots


def test_snapshot_keys_are_chainers() -> None:
    it = SerialIterator(list(range(7)), 3, seed=1)
    it.next()
    saver = DictSaver()
    it.serialize(saver)
    assert set(saver.target) == {
        "current_position", "epoch", "is_new_epoch", "order", "previous_epoch_detail",
        "order_sampler/rng_state",
    }
    assert saver.target["current_position"] == 3 and saver.target["epoch"] == 0
    assert saver.target["previous_epoch_detail"] == 0.0
    plain = DictSaver()
    SerialIterator(list(range(7)), 3, shuffle=False).serialize(plain)
    assert set(plain.target) == {"current_position", "epoch", "is_new_epoch",
                                 "previous_epoch_detail"}
    assert plain.target["previous_epoch_detail"] == -1.0  # None is saved as -1


@given(n=st.integers(1, 10), batch_size=st.integers(1, 12), before=st.integers(0, 12),
       after=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_resume_equals_uninterrupted(n: int, batch_size: int, before: int, after: int,
                                     seed: int) -> None:
    data = list(range(n))
    reference = SerialIterator(data, batch_size, seed=seed)
    expected = [reference.next() for _ in range(before + after)]
    it = SerialIterator(data, batch_size, seed=seed)
    for _ in range(before):
        it.next()
    saver = DictSaver()
    it.serialize(saver)
    resumed = SerialIterator(data, batch_size, seed=seed + 1)  # another seed: the snapshot wins
    resumed.serialize(DictLoader(saver.target))
    assert resumed.epoch == it.epoch and resumed.current_position == it.current_position
    assert resumed.is_new_epoch == it.is_new_epoch
    assert resumed.previous_epoch_detail == it.previous_epoch_detail
    assert [resumed.next() for _ in range(after)] == expected[before:]


def test_resume_through_npz_file() -> None:
    data = list(range(9))
    it = SerialIterator(data, 4, seed=42)
    for _ in range(3):
        it.next()
    expected = SerialIterator(data, 4, seed=42)
    for _ in range(3):
        expected.next()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "snapshot_iter_3")
        save_npz(path, it)
        with numpy.load(path, allow_pickle=False) as npz:
            assert {"current_position", "epoch", "is_new_epoch", "order",
                    "previous_epoch_detail"} <= set(npz.files)
        resumed = SerialIterator(data, 4, seed=7)
        load_npz(path, resumed)
    assert [resumed.next() for _ in range(5)] == [expected.next() for _ in range(5)]


def test_loads_a_chainer_snapshot_without_fchain_keys() -> None:
    # What Chainer writes (its order samplers save nothing), plus an old snapshot
    # without previous_epoch_detail, whose value is then guessed as Chainer does.
    order = numpy.array([3, 1, 0, 2, 4])
    snapshot = {"current_position": 2, "epoch": 1, "is_new_epoch": False, "order": order}
    it = SerialIterator(list(range(5)), 2, seed=0)
    loader = DictLoader(snapshot)
    it.serialize(loader)
    assert it.epoch == 1 and it.current_position == 2
    assert it.previous_epoch_detail == pytest.approx(1.0)  # 1 + (2 - 2) / 5
    assert it.next() == [0, 2]
    assert "order_sampler/rng_state" not in loader.read
    # The legacy key name '_order' is read when 'order' is absent.
    legacy = {"current_position": 0, "epoch": 0, "is_new_epoch": False,
              "_order": numpy.array([4, 3, 2, 1, 0]), "previous_epoch_detail": -1.0}
    it2 = SerialIterator(list(range(5)), 2, seed=0)
    it2.serialize(DictLoader(legacy))
    assert it2.next() == [4, 3] and it2.previous_epoch_detail == 0.0


def test_snapshot_of_other_dataset_size_is_rejected() -> None:
    it = SerialIterator(list(range(5)), 2, seed=0)
    with pytest.raises(Exception, match="shape"):
        it.serialize(DictLoader({"current_position": 0, "epoch": 0, "is_new_epoch": False,
                                 "order": numpy.arange(6), "previous_epoch_detail": -1.0}))


def test_shuffle_order_sampler_sources() -> None:
    a = ShuffleOrderSampler(5)
    b = ShuffleOrderSampler(numpy.random.default_rng(5))
    assert a(numpy.arange(8), 0).tolist() == b(numpy.arange(8), 0).tolist()
    rs = ShuffleOrderSampler(numpy.random.RandomState(2))
    assert rs(numpy.arange(6), 0).tolist() == numpy.random.RandomState(2).permutation(6).tolist()
    state = rs.get_rng_state()
    first = rs(numpy.arange(6), 0).tolist()
    rs.set_rng_state(state)
    assert rs(numpy.arange(6), 0).tolist() == first
    assert ShuffleOrderSampler().get_rng_state() is None
    with pytest.raises(TypeError, match="random_state must be"):
        ShuffleOrderSampler("seed")  # type: ignore[arg-type]  # the check under test
    with pytest.raises(Exception, match="saved generator is a Generator"):
        rs.set_rng_state(a.get_rng_state())


def test_custom_iterator_subclass_in_chainers_style() -> None:
    from fchain.dataset import Iterator

    class Countdown(Iterator[int]):
        epoch: int
        is_new_epoch: bool
        epoch_detail: float
        previous_epoch_detail: float | None

        def __init__(self, n: int) -> None:
            self.n = n
            self.epoch = 0  # plain attributes, as Chainer's base class allows
            self.is_new_epoch = False
            self.epoch_detail = 0.0
            self.previous_epoch_detail = None

        def __next__(self) -> list[int]:
            if self.n == 0:
                raise StopIteration
            self.n -= 1
            return [self.n]

    it = Countdown(2)
    assert list(it) == [[1], [0]]
    assert it.epoch == 0 and not hasattr(it, "reset")
    with Countdown(1) as c:
        assert c.next() == [0]

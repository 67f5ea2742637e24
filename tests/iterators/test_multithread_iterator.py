"""MultithreadIterator yields exactly SerialIterator's batches, snapshots included."""

from __future__ import annotations

import threading
import time

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fchain.iterators import MultithreadIterator, SerialIterator

from tests.iterators._helpers import DictLoader, DictSaver


@settings(max_examples=15)
@given(n=st.integers(1, 12), batch_size=st.integers(1, 15), repeat=st.booleans(),
       n_threads=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_same_batches_as_serial(n: int, batch_size: int, repeat: bool, n_threads: int,
                                seed: int) -> None:
    data = [numpy.array([i, -i]) for i in range(n)]
    serial = SerialIterator(data, batch_size, repeat=repeat, seed=seed)
    with MultithreadIterator(data, batch_size, repeat=repeat, n_threads=n_threads,
                             seed=seed) as threaded:
        for _ in range(8):
            try:
                expected = serial.next()
            except StopIteration:
                with pytest.raises(StopIteration):
                    threaded.next()
                break
            got = threaded.next()
            assert [a.tolist() for a in got] == [a.tolist() for a in expected]
            assert (threaded.epoch, threaded.current_position, threaded.is_new_epoch) == (
                serial.epoch, serial.current_position, serial.is_new_epoch)
            assert threaded.epoch_detail == serial.epoch_detail
            assert threaded.previous_epoch_detail == serial.previous_epoch_detail


@given(before=st.integers(0, 8), after=st.integers(1, 8), seed=st.integers(0, 1000))
def test_resume_equals_uninterrupted(before: int, after: int, seed: int) -> None:
    data = list(range(7))
    reference = SerialIterator(data, 3, seed=seed)
    expected = [reference.next() for _ in range(before + after)]
    with MultithreadIterator(data, 3, seed=seed, n_threads=2) as it:
        for _ in range(before):
            it.next()
        saver = DictSaver()
        it.serialize(saver)  # the prefetched batch (and the generator) are rewound
        # Chainer's MultithreadIterator writes the order under '_order'.
        assert "_order" in saver.target and "order" not in saver.target
        assert [it.next() for _ in range(after)] == expected[before:]
    with MultithreadIterator(data, 3, seed=seed + 5, n_threads=2) as resumed:
        resumed.serialize(DictLoader(saver.target))
        assert [resumed.next() for _ in range(after)] == expected[before:]


def test_reset_after_prefetch_matches_serial() -> None:
    data = list(range(5))
    serial = SerialIterator(data, 2, seed=3)
    with MultithreadIterator(data, 2, seed=3) as it:
        for _ in range(3):
            assert it.next() == serial.next()
        it.reset()
        serial.reset()
        assert [it.next() for _ in range(4)] == [serial.next() for _ in range(4)]


def test_worker_exception_surfaces_and_iteration_can_retry() -> None:
    class Flaky:
        def __init__(self) -> None:
            self.fail = True

        def __len__(self) -> int:
            return 4

        def __getitem__(self, i: int) -> int:
            if i == 3 and self.fail:
                raise RuntimeError("cannot read example 3")
            return i

    ds = Flaky()
    with MultithreadIterator(ds, 2, shuffle=False) as it:
        assert it.next() == [0, 1]
        with pytest.raises(RuntimeError, match="cannot read example 3"):
            it.next()
        assert it.epoch == 0 and it.current_position == 2  # nothing consumed
        ds.fail = False
        assert it.next() == [2, 3]


def test_finalize_stops_threads_and_is_idempotent() -> None:
    before = {t.name for t in threading.enumerate()}
    it = MultithreadIterator(list(range(10)), 2, n_threads=3)
    it.next()
    assert any(t.name.startswith("fchain-MultithreadIterator") for t in threading.enumerate())
    it.finalize()
    it.finalize()
    deadline = time.monotonic() + 10
    left: list[threading.Thread] = []
    while time.monotonic() < deadline:
        left = [t for t in threading.enumerate()
                if t.name.startswith("fchain-MultithreadIterator") and t.name not in before]
        if not left:
            break
        time.sleep(0.01)
    assert not left
    # Finalized iterators start new threads when used again, as Chainer's do.
    assert len(it.next()) == 2
    it.finalize()

"""MultiprocessIterator: same batches as SerialIterator, and a lifecycle that never
hangs (finalize, context manager, worker errors, dead workers, busy workers).

Every test runs under the hard time limit of ``conftest.py``.  Workers use the
'fork' start method (fast) except where another is under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import numpy
import pytest

from fchain.datasets import TupleDataset
from fchain.iterators import MultiprocessIterator, SerialIterator

from tests.iterators._helpers import DictLoader, DictSaver

FORK = "fork"


class Failing:
    """Raises for one index."""

    def __init__(self, bad: int) -> None:
        self.bad = bad

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> int:
        if i == self.bad:
            raise KeyError(f"example {i} is missing")
        return i


class Dying:
    """Kills its worker process."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> int:
        os._exit(7)


class Sleepy:
    """Takes ``delay`` seconds per example."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> int:
        time.sleep(self.delay)
        return i


def test_same_batches_as_serial_with_prefetch() -> None:
    data = TupleDataset(numpy.arange(26).reshape(13, 2), numpy.arange(13))
    serial = SerialIterator(data, 5, seed=9)
    with MultiprocessIterator(data, 5, seed=9, n_processes=2, n_prefetch=3,
                              mp_context=FORK) as it:
        for _ in range(9):
            got, expected = it.next(), serial.next()
            assert [(x.tolist(), int(t)) for x, t in got] == [
                (x.tolist(), int(t)) for x, t in expected]
            assert (it.epoch, it.current_position, it.is_new_epoch) == (
                serial.epoch, serial.current_position, serial.is_new_epoch)


def test_no_repeat_stops() -> None:
    with MultiprocessIterator(list(range(7)), 3, repeat=False, shuffle=False, n_processes=2,
                              n_prefetch=4, mp_context=FORK) as it:
        assert list(it) == [[0, 1, 2], [3, 4, 5], [6]]
        with pytest.raises(StopIteration):
            it.next()
        assert it.epoch == 1


def test_snapshot_resume_with_prefetched_batches() -> None:
    data = list(range(11))
    reference = SerialIterator(data, 4, seed=21)
    expected = [reference.next() for _ in range(10)]
    with MultiprocessIterator(data, 4, seed=21, n_processes=2, n_prefetch=3,
                              mp_context=FORK) as it:
        got = [it.next() for _ in range(4)]
        saver = DictSaver()
        it.serialize(saver)
        assert {"current_position", "epoch", "is_new_epoch", "order",
                "previous_epoch_detail"} <= set(saver.target)
    assert got == expected[:4]
    with MultiprocessIterator(data, 4, seed=0, n_processes=1, mp_context=FORK) as resumed:
        resumed.serialize(DictLoader(saver.target))
        assert [resumed.next() for _ in range(6)] == expected[4:]


def test_worker_exception_surfaces_in_main_process() -> None:
    with MultiprocessIterator(Failing(bad=5), 4, shuffle=False, n_processes=2,
                              mp_context=FORK) as it:
        assert it.next() == [0, 1, 2, 3]
        with pytest.raises(KeyError, match="example 5 is missing") as info:
            it.next()
        assert "Traceback" in str(info.value.__cause__)  # the worker's traceback
        assert it.current_position == 4  # the failed batch was not consumed


def test_dead_worker_raises_instead_of_hanging() -> None:
    it = MultiprocessIterator(Dying(), 2, shuffle=False, n_processes=1, mp_context=FORK)
    try:
        with pytest.raises(BrokenProcessPool):
            it.next()
    finally:
        it.finalize()


def test_finalize_terminates_busy_workers_quickly() -> None:
    it = MultiprocessIterator(Sleepy(60.0), 2, shuffle=False, n_processes=2, n_prefetch=2,
                              mp_context=FORK)
    it._fill()  # workers are now stuck in a 60 s read
    time.sleep(0.2)
    start = time.monotonic()
    it.finalize()
    assert time.monotonic() - start < 10
    it.finalize()  # idempotent


def test_context_manager_finalizes_even_on_error() -> None:
    it = MultiprocessIterator(Sleepy(60.0), 2, shuffle=False, n_processes=1, mp_context=FORK)
    start = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        with it:
            it._fill()
            1 / 0
    assert it._executor is None
    assert time.monotonic() - start < 10


def test_use_after_finalize_starts_new_workers() -> None:
    with MultiprocessIterator(list(range(6)), 3, shuffle=False, n_processes=1,
                              mp_context=FORK) as it:
        assert it.next() == [0, 1, 2]
        it.finalize()
        assert it.next() == [3, 4, 5]


def test_timeout_warning_while_waiting() -> None:
    with MultiprocessIterator(Sleepy(0.4), 2, shuffle=False, n_processes=1,
                              dataset_timeout=0.1, mp_context=FORK) as it:
        with pytest.warns(MultiprocessIterator.TimeoutWarning, match="still waiting"):
            assert it.next() == [0, 1]


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="mp_context must be one of"):
        MultiprocessIterator([1], 1, mp_context="teleport")
    with pytest.raises(ValueError, match="dataset_timeout must be positive"):
        MultiprocessIterator([1], 1, dataset_timeout=0)
    with pytest.raises(ValueError, match="number of workers must be a positive int"):
        MultiprocessIterator([1], 1, n_processes=0)


@pytest.mark.timeout_s(120)
def test_spawn_context_pickles_the_dataset() -> None:
    data = TupleDataset(numpy.arange(8.0).reshape(4, 2), numpy.arange(4))
    serial = SerialIterator(data, 3, seed=4)
    with MultiprocessIterator(data, 3, seed=4, n_processes=1, mp_context="spawn") as it:
        got = it.next()
    expected = serial.next()
    assert [x.tolist() for x, _ in got] == [x.tolist() for x, _ in expected]


@pytest.mark.timeout_s(120)
def test_interpreter_exit_with_busy_workers_does_not_hang() -> None:
    script = (
        "import time\n"
        "from fchain.iterators import MultiprocessIterator\n"
        "class Slow:\n"
        "    def __len__(self): return 8\n"
        "    def __getitem__(self, i): time.sleep(300); return i\n"
        "it = MultiprocessIterator(Slow(), 2, shuffle=False, n_processes=2, n_prefetch=2,"
        " mp_context='fork')\n"
        "it._fill()\n"
        "print('leaving', flush=True)\n"
    )
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=90)
    assert done.returncode == 0, done.stderr
    assert "leaving" in done.stdout
    assert time.monotonic() - start < 60

"""``condition.retry``, ``repeat``, ``repeat_with_success_at_least``."""

from __future__ import annotations

import unittest
from collections.abc import Callable

import pytest

from fchain.testing import condition


def _flaky(outcomes: list[bool]) -> tuple[list[int], Callable[[], None]]:
    """A test failing or passing in the order of ``outcomes``; counts its calls."""
    calls: list[int] = []

    def test() -> None:
        calls.append(1)
        assert outcomes[len(calls) - 1], f"run {len(calls)} fails"
    return calls, test


def test_retry_passes_at_the_first_success() -> None:
    calls, test = _flaky([False, False, True, False])
    condition.retry(4)(test)()
    assert len(calls) == 3


def test_retry_fails_when_every_run_fails_with_the_first_error() -> None:
    calls, test = _flaky([False, False, False])
    with pytest.raises(AssertionError, match="run 1 fails") as caught:
        condition.retry(3)(test)()
    assert len(calls) == 3
    assert "3 of 3 runs failed" in caught.value.__notes__[-1]


def test_repeat_needs_every_run_and_stops_at_the_first_failure() -> None:
    calls, test = _flaky([True, True, True])
    condition.repeat(3)(test)()
    assert len(calls) == 3
    calls, test = _flaky([True, False, True])
    with pytest.raises(AssertionError, match="run 2 fails"):
        condition.repeat(3)(test)()
    assert len(calls) == 2


def test_success_at_least_gives_up_once_it_cannot_succeed() -> None:
    calls, test = _flaky([False, True, False, True, True])
    with pytest.raises(AssertionError):
        condition.repeat_with_success_at_least(5, 4)(test)()
    assert len(calls) == 3  # two failures out of five leave at most three successes
    calls, test = _flaky([False, True, True, True])
    condition.repeat_with_success_at_least(4, 3)(test)()
    assert len(calls) == 4
    with pytest.raises(ValueError):
        condition.repeat_with_success_at_least(2, 3)


def test_a_skip_ends_the_test_at_once() -> None:
    calls: list[int] = []

    def skipping() -> None:
        calls.append(1)
        raise unittest.SkipTest("not here")
    with pytest.raises(unittest.SkipTest):
        condition.retry(3)(skipping)()

    def pytest_skipping() -> None:
        calls.append(1)
        pytest.skip("not here either")
    with pytest.raises(pytest.skip.Exception):
        condition.retry(3)(pytest_skipping)()
    assert len(calls) == 2


class _Stateful:
    """A test method whose state must be fresh on each run."""

    def setup_method(self, method: object) -> None:
        self.state: list[int] = []
        self.setups = getattr(self, "setups", 0) + 1

    def teardown_method(self, method: object) -> None:
        self.teardowns = getattr(self, "teardowns", 0) + 1

    @condition.retry(3)
    def test_fresh(self) -> None:
        self.state.append(1)
        assert self.setups == 3 and self.state == [1]


def test_each_run_of_a_method_starts_from_setup_method() -> None:
    case = _Stateful()
    case.setup_method(None)
    case.test_fresh()
    assert case.setups == 3 and case.teardowns == 2

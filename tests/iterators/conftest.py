"""Every iterator test runs under a hard time limit, so a hang fails instead of
blocking the suite: SIGALRM raises ``TimeoutError`` in the test after
``ITERATOR_TEST_TIMEOUT_S``; if even that cannot interrupt it, faulthandler dumps
every thread's stack and ends the process a little later."""

from __future__ import annotations

import faulthandler
import signal
import sys
from collections.abc import Iterator
from types import FrameType

import pytest

ITERATOR_TEST_TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def hard_timeout(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("timeout_s")
    limit = int(marker.args[0]) if marker else ITERATOR_TEST_TIMEOUT_S
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover  (not POSIX)
        faulthandler.dump_traceback_later(limit + 30, exit=True)
        yield
        faulthandler.cancel_dump_traceback_later()
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"{request.node.nodeid} took more than {limit} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    faulthandler.dump_traceback_later(limit + 30, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout_s(n): hard time limit of an iterator test")

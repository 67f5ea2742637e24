"""Waiting for MPI with a deadline, and the control channel between ranks.

MPI's blocking calls cannot be interrupted: a rank whose peer died or raised would
wait forever.  Every communication of ``fchain.distributed`` is therefore started as
a non-blocking MPI call and completed by ``Runtime.wait``, which polls it until the
communicator's ``timeout`` and meanwhile watches a second MPI communicator, the
control channel, for two kinds of messages:

* a *failure notice*, sent by a rank that is about to abort (an uncaught exception,
  a timeout): the waiting rank raises ``RemoteRankError`` naming that rank at once
  instead of waiting for its own timeout;
* a *status query*, sent by a rank whose wait timed out: every rank that is itself
  waiting in ``fchain.distributed`` answers with the call it waits in, so the
  ``CollectiveTimeoutError`` can name the ranks that did not answer (dead, hung or
  computing outside a collective) and the ranks that wait in a different call.

A timed-out or failed communicator is unusable afterwards (its collectives are out
of step across ranks): later calls raise ``CommunicatorClosedError``.
"""

from __future__ import annotations

import atexit
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mpi4py import MPI

from fchain.distributed.errors import (
    CollectiveTimeoutError,
    CommunicatorClosedError,
    RemoteRankError,
)

__all__ = ["Runtime", "WaitState", "live_runtimes", "notify_all_peers", "wait_unmonitored"]

TAG_NOTICE = 1
TAG_QUERY = 2
TAG_STATUS = 3
TAG_LEFT = 4

_LEFT_GRACE_S = 2.0  # how long a wait may still complete after a peer's program ended

# Waiting: poll without yielding the CPU for ``_SPIN_S`` (a peer that is in step
# arrives within it), then yield the CPU between polls, and after
# ``_SLEEP_AFTER_S`` sleep ``_SLEEP_S`` between polls, so that a rank waiting for a
# slow peer (or for one that shares its core) leaves the CPU to it.
_SPIN_S = 100e-6
_SLEEP_AFTER_S = 0.002
_SLEEP_S = 0.0005
_POLLS_PER_CHECK = 16


@dataclass(frozen=True, slots=True)
class WaitState:
    """What a process is waiting in: shown to peers that query it."""

    communicator: str
    call: str
    seq: int
    since: float

    def describe(self, now: float) -> str:
        return (f"waiting in {self.call} (call #{self.seq} of communicator "
                f"'{self.communicator}') for {now - self.since:.1f} s")


_CURRENT: WaitState | None = None
# Strong references: a communicator dropped without ``finalize`` still has peers,
# which the exit notice and the except hook must reach.
_LIVE: list[Runtime] = []
_QUERY_IDS = itertools.count(1)


def live_runtimes() -> list[Runtime]:
    """The runtimes of this process that are not finalized."""
    return [rt for rt in _LIVE if not rt.closed]


def wait_unmonitored(requests: Sequence[MPI.Request], timeout: float, what: str) -> None:
    """Wait for ``requests`` until ``timeout`` seconds without a control channel
    (used while one is being created); raises ``CollectiveTimeoutError``."""
    start = time.monotonic()
    while not MPI.Request.Testall(list(requests)):
        waited = time.monotonic() - start
        if waited > timeout:
            rank = MPI.COMM_WORLD.Get_rank()
            raise CollectiveTimeoutError(
                f"fchain.distributed: {what} did not complete within {timeout:g} s on world "
                f"rank {rank}: some rank did not call it (it may have died, be stuck, or "
                f"not have reached this point)", rank=rank, call=what)
        _pause(waited)


def _pause(waited: float) -> None:
    if waited > _SLEEP_AFTER_S:
        time.sleep(_SLEEP_S)
    elif waited > _SPIN_S:
        os.sched_yield()


class Runtime:
    """The MPI side of one communicator: private duplicates of the user's MPI
    communicator for data (``comm``), for fchain's own collective algorithms
    (``coll``: their messages never meet a user's) and for control messages
    (``ctrl``); a timeout; the count and name of the current call (for errors).

    Creating one is collective over ``mpi_comm`` (each rank duplicates it).
    """

    def __init__(self, mpi_comm: MPI.Intracomm, name: str, timeout: float) -> None:
        data, data_req = mpi_comm.Idup()
        coll, coll_req = mpi_comm.Idup()
        ctrl, ctrl_req = mpi_comm.Idup()
        wait_unmonitored([data_req, coll_req, ctrl_req], timeout, f"creating communicator '{name}'")
        self.comm: MPI.Intracomm = data
        self.coll: MPI.Intracomm = coll  # fchain's own point-to-point collectives
        self.ctrl: MPI.Intracomm = ctrl
        self.rank: int = data.Get_rank()
        self.size: int = data.Get_size()
        self.name = name
        self.timeout = timeout
        self.call = "(none)"
        self.seq = 0
        self.closed = False
        self.failure: str | None = None
        self._answers: dict[int, dict[int, WaitState | None]] = {}
        self._left: dict[int, float] = {}
        self._outbox: list[MPI.Request] = []
        _LIVE.append(self)

    # ----------------------------------------------------------------- calls
    def begin(self, call: str) -> None:
        """Start the public call ``call``: count it, and refuse when unusable."""
        if self.closed or self.failure is not None:
            raise CommunicatorClosedError(
                f"fchain.distributed: {call} on rank {self.rank} of communicator '{self.name}': "
                + (self.failure or "the communicator was finalized"))
        self.call = call
        self.seq += 1

    def wait(self, requests: Sequence[MPI.Request]) -> None:
        """Complete ``requests``, or raise ``RemoteRankError`` when a peer reports a
        failure, or ``CollectiveTimeoutError`` after ``timeout`` seconds."""
        reqs = list(requests)
        if not MPI.Request.Testall(reqs):
            self.wait_for(lambda: MPI.Request.Testall(reqs))

    def wait_for(self, done: Callable[[], bool]) -> None:
        """Poll ``done()`` (which must drive MPI's progress, e.g. by testing requests
        or probing) until it returns ``True``, under the same rules as ``wait``."""
        global _CURRENT
        start = time.monotonic()
        deadline = start + self.timeout
        previous = _CURRENT
        _CURRENT = WaitState(self.name, self.call, self.seq, start)
        try:
            while True:
                for _ in range(_POLLS_PER_CHECK):
                    if done():
                        return
                now = time.monotonic()
                self._service_all()
                if self._left:
                    self._check_left(now)
                if now >= deadline and self._timed_out(done):
                    return
                _pause(now - start)
        finally:
            _CURRENT = previous

    # --------------------------------------------------------- control channel
    def _service_all(self) -> None:
        """Read the control messages of every live runtime of this process."""
        for rt in live_runtimes():
            rt._service()

    def _service(self) -> None:
        while True:
            status = MPI.Status()
            message = self.ctrl.improbe(MPI.ANY_SOURCE, MPI.ANY_TAG, status)
            if message is None:
                break
            payload = message.recv()
            source, tag = status.Get_source(), status.Get_tag()
            if tag == TAG_QUERY:
                self._post(_CURRENT, source, TAG_STATUS, extra=payload)
            elif tag == TAG_STATUS and isinstance(payload, tuple):
                qid, state = payload
                self._answers.setdefault(qid, {})[source] = state
            elif tag == TAG_NOTICE:
                self._on_notice(source, str(payload))
            elif tag == TAG_LEFT:
                self._left.setdefault(source, time.monotonic())

    def _check_left(self, now: float) -> None:
        """A peer whose program ended cannot take part in this wait any more: fail
        once a short grace (for messages it sent before leaving) has passed."""
        for peer, when in self._left.items():
            if now - when > _LEFT_GRACE_S:
                self.failure = f"rank {peer} exited"
                raise RemoteRankError(
                    f"fchain.distributed: rank {peer} of communicator '{self.name}' has exited "
                    f"(its program ended) while rank {self.rank} was {self._doing()}; every rank "
                    "must make the same collective calls (did one rank run more iterations?)",
                    rank=peer, call=self.call)

    def _on_notice(self, source: int, what: str) -> None:
        message = (f"fchain.distributed: rank {source} of communicator '{self.name}' failed "
                   f"({what}); rank {self.rank} was {self._doing()}")
        self.failure = f"rank {source} failed ({what})"
        raise RemoteRankError(message, rank=source, call=self.call)

    def _doing(self) -> str:
        state = _CURRENT
        if state is None:
            return f"in {self.call} (call #{self.seq} of communicator '{self.name}')"
        return state.describe(time.monotonic())

    def _post(self, payload: object, dest: int, tag: int, extra: object = None) -> None:
        """Send a small control message without waiting for it."""
        message = payload if tag != TAG_STATUS else (extra, payload)
        self._outbox = [req for req in self._outbox if not req.Test()]
        self._outbox.append(self.ctrl.isend(message, dest=dest, tag=tag))

    def notify_peers(self, what: str) -> None:
        """Tell every other rank that this one fails (``what``)."""
        if self.closed:
            return
        for peer in range(self.size):
            if peer != self.rank:
                self._post(what, peer, TAG_NOTICE)

    def flush(self, seconds: float) -> None:
        """Give the control messages sent so far up to ``seconds`` to leave."""
        start = time.monotonic()
        while self._outbox and time.monotonic() - start < seconds:
            self._outbox = [req for req in self._outbox if not req.Test()]
            if self._outbox:
                time.sleep(_SLEEP_S)

    # ---------------------------------------------------------------- timeouts
    def _timed_out(self, done: Callable[[], bool]) -> bool:
        """Ask every peer what it waits in, collect answers for a short grace period
        (``True`` if the wait completes meanwhile), then raise."""
        qid = next(_QUERY_IDS)
        for peer in range(self.size):
            if peer != self.rank:
                self._post(qid, peer, TAG_QUERY)
        grace = min(2.0, max(0.2, 0.2 * self.timeout))
        grace_end = time.monotonic() + grace
        while time.monotonic() < grace_end:
            if done():
                return True
            self._service_all()
            if len(self._answers.get(qid, {})) == self.size - 1:
                break
            time.sleep(_SLEEP_S)
        answers = self._answers.pop(qid, {})
        now = time.monotonic()
        silent = tuple(p for p in range(self.size) if p != self.rank and p not in answers)
        lines = []
        for peer in range(self.size):
            if peer == self.rank:
                continue
            if peer in silent:
                lines.append(f"  rank {peer}: did not answer within {grace:.1f} s: it may have "
                             "died, be stuck, or be computing outside fchain.distributed")
            else:
                state = answers[peer]
                lines.append(f"  rank {peer}: " + ("not waiting in fchain.distributed (answered "
                                                   "between calls)" if state is None
                                                   else state.describe(now)))
        culprit = (f"rank {silent[0]}" if len(silent) == 1 else
                   f"ranks {', '.join(map(str, silent))}" if silent else "no rank")
        what = f"timed out in {self.call} (call #{self.seq}) after {self.timeout:g} s"
        message = (f"fchain.distributed: rank {self.rank} of {self.size} (communicator "
                   f"'{self.name}') {what} waiting for {culprit}:\n" + "\n".join(lines)
                   + "\nIf the peers are only slow, raise the limit with "
                   "create_communicator(timeout=...) or comm.timeout = seconds.")
        self.failure = f"rank {self.rank} {what}"
        self.notify_peers(f"rank {self.rank} {what}")
        self.flush(0.5)
        raise CollectiveTimeoutError(message, rank=self.rank, call=self.call, silent_ranks=silent)

    def close(self) -> None:
        """Stop using the communicator (its MPI duplicates are left to MPI_Finalize:
        freeing them is collective, and a peer may already be gone)."""
        self.flush(0.1)
        self.closed = True
        if self in _LIVE:
            _LIVE.remove(self)


def _announce_exit() -> None:
    """At interpreter exit: tell the peers this rank's program ended, so a peer
    still waiting for it fails at once instead of at its timeout."""
    runtimes = [rt for rt in live_runtimes() if rt.failure is None]
    for rt in runtimes:
        for peer in range(rt.size):
            if peer != rt.rank:
                rt._post(None, peer, TAG_LEFT)
    for rt in runtimes:
        rt.flush(0.2)


atexit.register(_announce_exit)


def notify_all_peers(what: str, seconds: float = 1.0, report_grace: float = 0.0) -> None:
    """Send a failure notice on every live runtime and give the messages up to
    ``seconds`` to leave; then wait ``report_grace`` seconds more when some peer
    was told, so the peers can print which rank failed before ``MPI_Abort`` (which
    the except hook calls next) stops them."""
    runtimes = [rt for rt in live_runtimes() if rt.size > 1]
    for rt in runtimes:
        if rt.failure is None or not rt.failure.startswith(f"rank {rt.rank} "):
            rt.notify_peers(what)
    end = time.monotonic() + seconds
    for rt in runtimes:
        rt.flush(max(0.0, end - time.monotonic()))
    if runtimes and report_grace > 0:
        time.sleep(report_grace)

"""End the whole MPI job when one rank raises an uncaught exception.

Without it, a rank that raises prints its traceback and then waits in
``MPI_Finalize`` for ranks that wait for it: the job hangs until someone kills it
(ChainerMN issue 236).  The hook prints the traceback, tells the other ranks of
every live communicator (they raise ``RemoteRankError`` naming this rank instead of
waiting for their timeout), and calls ``MPI_Abort``, which makes ``mpirun`` stop
every process.

``create_communicator`` installs it unless ``abort_on_error=False``; ChainerMN's
opt-in ``CHAINERMN_FORCE_ABORT_ON_EXCEPTION`` is honored too.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import TypeAlias

__all__ = ["add_hook", "remove_hook"]

ExceptHook: TypeAlias = Callable[[type[BaseException], BaseException, TracebackType | None], object]

_ORIGINAL: ExceptHook | None = None


def _describe(exc_type: type[BaseException], value: BaseException) -> str:
    text = str(value).splitlines()[0] if str(value) else ""
    return f"raised {exc_type.__name__}" + (f": {text}" if text else "")


def _global_except_hook(exc_type: type[BaseException], value: BaseException,
                        traceback: TracebackType | None) -> None:
    """Print the exception, notify the peers, abort the MPI job."""
    try:
        (_ORIGINAL or sys.__excepthook__)(exc_type, value, traceback)
    finally:
        rank = "?"
        try:
            from fchain.distributed.communicators._runtime import notify_all_peers

            notify_all_peers(_describe(exc_type, value), report_grace=1.0)
            from mpi4py import MPI

            rank = str(MPI.COMM_WORLD.Get_rank())
        except Exception:  # noqa: BLE001 - nothing may stop the abort below
            pass
        sys.stderr.write(
            "\n******************************************\n"
            f"fchain.distributed: uncaught exception on rank {rank}.\n"
            "   Calling MPI_Abort() to shut down the job...\n"
            "******************************************\n\n")
        sys.stderr.flush()
        try:
            from mpi4py import MPI

            MPI.COMM_WORLD.Abort(1)
        except Exception:  # noqa: BLE001
            sys.stderr.write("fchain.distributed: MPI_Abort failed; the job may hang.\n")
            sys.stderr.flush()


def add_hook(quiet: bool = False) -> None:
    """Install the hook (again: warns unless ``quiet``, and keeps the first one)."""
    global _ORIGINAL
    if sys.excepthook is _global_except_hook:
        if not quiet:
            warnings.warn("global_except_hook.add_hook() was called more than once; ignored",
                          stacklevel=2)
        return
    _ORIGINAL = sys.excepthook
    sys.excepthook = _global_except_hook


def remove_hook() -> None:
    """Restore the except hook that was there before ``add_hook``."""
    global _ORIGINAL
    if sys.excepthook is _global_except_hook:
        sys.excepthook = _ORIGINAL or sys.__excepthook__
    _ORIGINAL = None


def _add_hook_if_enabled() -> None:
    if os.environ.get("CHAINERMN_FORCE_ABORT_ON_EXCEPTION") or os.environ.get(
            "FCHAIN_FORCE_ABORT_ON_EXCEPTION"):
        add_hook(quiet=True)

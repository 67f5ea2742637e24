"""The exceptions of ``fchain.distributed``.

Every message names the rank that raised it, the call it was in (``allreduce``,
``bcast_obj``, ...) and, for a failure elsewhere, the rank at fault, so a job that
stops can be debugged from any one rank's output.  Each class also derives from the
built-in exception a caller would catch (``ImportError``, ``TimeoutError``,
``RuntimeError``).
"""

from __future__ import annotations

from fchain.errors import FchainError

__all__ = [
    "CollectiveTimeoutError",
    "CommunicatorClosedError",
    "DistributedError",
    "MpiUnavailableError",
    "NcclUnavailableError",
    "RemoteRankError",
]


class DistributedError(FchainError, RuntimeError):
    """Base class of the errors of ``fchain.distributed``."""


class MpiUnavailableError(DistributedError, ImportError):
    """mpi4py or the MPI library it loads is missing; the message says how to
    install them."""


class NcclUnavailableError(DistributedError):
    """A device array needs NCCL (CuPy's ``cupy.cuda.nccl``) where it is missing,
    or a device path was asked for on a machine without GPUs."""


class CollectiveTimeoutError(DistributedError, TimeoutError):
    """A communication did not complete within the communicator's ``timeout``.

    Attributes:
        rank: this process's rank in the communicator.
        call: the call that timed out (``'allreduce'``, ``'recv_obj'``, ...).
        silent_ranks: the peers that did not answer a status query (dead, hung,
            or busy outside ``fchain.distributed``): the likely culprits.
    """

    def __init__(self, message: str, *, rank: int, call: str,
                 silent_ranks: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.rank = rank
        self.call = call
        self.silent_ranks = silent_ranks


class RemoteRankError(DistributedError):
    """Another rank reported that it failed (an uncaught exception, a timeout) while
    this rank waited for it.

    Attributes:
        rank: the rank that failed.
        call: the call this rank was waiting in.
    """

    def __init__(self, message: str, *, rank: int, call: str) -> None:
        super().__init__(message)
        self.rank = rank
        self.call = call


class CommunicatorClosedError(DistributedError):
    """The communicator was finalized, or an earlier failure left its collectives
    out of step across ranks, so it cannot be used again."""

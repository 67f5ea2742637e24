"""Communicators: ``create_communicator`` and ``CommunicatorBase``.

Importing this package does not load MPI; ``create_communicator`` does (mpi4py
initializes MPI on import), and says what to install where it is missing.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Literal

from fchain.distributed._mpi import require_mpi
from fchain.distributed.communicators.communicator_base import CommunicatorBase as CommunicatorBase
from fchain.types import DTypeLike

if TYPE_CHECKING:
    from mpi4py import MPI

    from fchain.distributed.communicators.mpi_communicator_base import MpiCommunicatorBase

__all__ = ["CommunicatorBase", "CommunicatorName", "DEFAULT_TIMEOUT", "NAMES", "create_communicator"]

CommunicatorName = Literal["naive", "flat", "hierarchical", "two_dimensional", "single_node",
                           "non_cuda_aware", "pure_nccl", "dummy"]

NAMES: tuple[str, ...] = ("naive", "flat", "hierarchical", "two_dimensional", "single_node",
                          "non_cuda_aware", "pure_nccl", "dummy")
"""Every name ``create_communicator`` knows."""

DEFAULT_TIMEOUT = 1800.0
"""Seconds a wait may take when neither ``timeout=`` nor the environment variable
``FCHAIN_DISTRIBUTED_TIMEOUT`` says otherwise (torch.distributed's default)."""


def _default_timeout() -> float:
    text = os.environ.get("FCHAIN_DISTRIBUTED_TIMEOUT")
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"FCHAIN_DISTRIBUTED_TIMEOUT must be a number of seconds, got {text!r}") from None
    return value


def create_communicator(communicator_name: CommunicatorName | str = "pure_nccl",
                        mpi_comm: MPI.Intracomm | None = None,
                        allreduce_grad_dtype: DTypeLike | None = None, batched_copy: bool = True, *,
                        timeout: float | None = None,
                        abort_on_error: bool = True) -> MpiCommunicatorBase:
    """A communicator of kind ``communicator_name`` over ``mpi_comm`` (default:
    ``MPI.COMM_WORLD``); every rank of ``mpi_comm`` must call it.

    Args:
        communicator_name: ``'naive'``, ``'flat'``, ``'hierarchical'``,
            ``'two_dimensional'``, ``'single_node'``, ``'non_cuda_aware'``,
            ``'pure_nccl'`` (ChainerMN's default) or ``'dummy'``.  On the CPU all
            run on MPI (see ``fchain.distributed.communicators.kinds``); the CUDA
            names sum GPU gradients with NCCL.
        mpi_comm: an mpi4py intracommunicator.
        allreduce_grad_dtype: the dtype GPU gradients travel in (``'pure_nccl'`` only).
        batched_copy: accepted and ignored (deprecated in ChainerMN 7).
        timeout: seconds any one wait may take before the call fails with an error
            naming the ranks at fault; default ``FCHAIN_DISTRIBUTED_TIMEOUT`` or
            1800.  ``math.inf`` waits forever (not recommended).
        abort_on_error: install ``global_except_hook``: an uncaught exception on
            any rank tells the other ranks (they raise ``RemoteRankError``) and
            calls ``MPI_Abort``, so the job ends instead of hanging in
            ``MPI_Finalize``.
    """
    if communicator_name not in NAMES:
        raise ValueError(f'Unrecognized communicator: "{communicator_name}"; expected one of '
                         f"{', '.join(NAMES)}")
    if communicator_name != "pure_nccl" and allreduce_grad_dtype is not None:
        raise ValueError("allreduce_grad_dtype is only available at 'pure_nccl' communicator.")
    seconds = _default_timeout() if timeout is None else float(timeout)
    if not seconds > 0 or math.isnan(seconds):
        raise ValueError(f"create_communicator: timeout must be a positive number of seconds, "
                         f"got {seconds}")
    MPI = require_mpi("create_communicator")
    from fchain.distributed.communicators.kinds import KINDS

    cls = KINDS[communicator_name]
    if abort_on_error:
        from fchain.distributed import global_except_hook

        global_except_hook.add_hook(quiet=True)
    comm = cls(MPI.COMM_WORLD if mpi_comm is None else mpi_comm, timeout=seconds)
    if allreduce_grad_dtype is not None:
        comm.set_config("allreduce_grad_dtype", allreduce_grad_dtype)
    comm.set_config("batched_copy", batched_copy)
    return comm

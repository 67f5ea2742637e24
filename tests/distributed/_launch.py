"""Launching real MPI jobs from tests: ``mpirun`` on this machine's loopback only,
every launch with a timeout after which its whole process group is killed.

Tests that need MPI are skipped, with a reason that says how to install it, where
``mpirun`` (Open MPI) or mpi4py is missing; CI installs both (``.ci/run``).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from fchain.distributed._mpi import INSTALL_HINT

__all__ = ["JOBS", "MPI_SKIP_REASON", "ROOT", "Job", "mpi_skip_reason", "requires_mpi", "run_job"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
JOBS = pathlib.Path(__file__).resolve().parent / "jobs"


def _mpirun() -> str | None:
    return shutil.which("mpirun")


def mpi_skip_reason() -> str | None:
    """Why MPI jobs cannot run here, or ``None``."""
    mpirun = _mpirun()
    if mpirun is None:
        return f"mpirun is not installed. {INSTALL_HINT}"
    if importlib.util.find_spec("mpi4py") is None:
        return f"mpi4py is not installed. {INSTALL_HINT}"
    try:
        version = subprocess.run([mpirun, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"mpirun --version failed ({exc}). {INSTALL_HINT}"
    if "Open MPI" not in version and "OpenRTE" not in version:
        return f"these tests launch Open MPI's mpirun; found: {version.strip()[:80]}. {INSTALL_HINT}"
    probe = run_job("-c", 1, "from mpi4py import MPI; print(MPI.COMM_WORLD.Get_size())", timeout=60)
    if probe.timed_out or probe.returncode != 0 or probe.stdout.strip() != "1":
        return (f"MPI is installed but unusable: a 1-rank job importing mpi4py.MPI failed "
                f"({probe.output.strip()[-200:]!r}). {INSTALL_HINT}")
    return None



@dataclass(frozen=True)
class Job:
    """A finished launch: exit status, output, and how long it ran."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> Job:
        """Fail the test with the job's output unless it exited with 0."""
        assert not self.timed_out, f"the MPI job timed out after {self.seconds:.0f} s:\n{self.output}"
        assert self.returncode == 0, f"the MPI job failed ({self.returncode}):\n{self.output}"
        return self


def run_job(script: str, nprocs: int, *args: str, timeout: float = 180.0,
            env: dict[str, str] | None = None, mca: tuple[tuple[str, str], ...] = ()) -> Job:
    """Run ``jobs/<script>`` (or ``script``, a path from the repository root, when it
    has a ``/``; or, for ``"-c"``, the program in ``args``) on ``nprocs`` ranks (oversubscribed: more ranks than cores is
    fine) over loopback TCP; kill it after ``timeout`` seconds."""
    mpirun = _mpirun()
    assert mpirun is not None
    command = [mpirun, "--oversubscribe", "-np", str(nprocs),
               "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo",
               "--mca", "oob_tcp_if_include", "lo"]
    for key, value in mca:
        command += ["--mca", key, value]
    if os.geteuid() == 0:
        command.insert(1, "--allow-run-as-root")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment.setdefault(name, "1")
    environment.update(env or {})
    for name in ("PYTHONPATH", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                 *(env or {})):
        command += ["-x", name]
    if script == "-c":  # a program given inline (in args)
        command += [sys.executable, "-c", *args]
    else:
        path = ROOT / script if "/" in script else JOBS / script
        command += [sys.executable, str(path), *args]
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment, cwd=ROOT, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # mpirun and the ranks it started
        stdout, stderr = process.communicate()
        timed_out = True
    return Job(process.returncode, stdout, stderr, time.monotonic() - start, timed_out)


MPI_SKIP_REASON = mpi_skip_reason()  # probed once per test session
requires_mpi = pytest.mark.skipif(MPI_SKIP_REASON is not None, reason=MPI_SKIP_REASON or "")

"""Loading MPI lazily: ``import fchain.distributed`` works without mpi4py, and the
first call that needs MPI says exactly what to install.

mpi4py initializes MPI when ``mpi4py.MPI`` is first imported, so nothing here imports
it at module level.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from fchain.distributed.errors import MpiUnavailableError

__all__ = ["INSTALL_HINT", "mpi_available", "require_mpi", "unavailable_reason"]

INSTALL_HINT = (
    "fchain.distributed runs on MPI through mpi4py (>= 4): install an MPI library "
    "(Debian/Ubuntu: `apt-get install openmpi-bin libopenmpi-dev`), then "
    "`pip install 'fchain[mpi]'`, and launch the program with "
    "`mpirun -np 2 python program.py`")

_MODULE: ModuleType | None = None
_REASON: str | None = None


def _load() -> ModuleType | None:
    global _MODULE, _REASON
    if _MODULE is None and _REASON is None:
        try:
            _MODULE = importlib.import_module("mpi4py.MPI")
        except ImportError as exc:  # mpi4py missing
            _REASON = f"mpi4py cannot be imported ({exc})"
        except RuntimeError as exc:  # mpi4py present, its MPI library missing
            _REASON = f"mpi4py cannot load an MPI library ({exc})"
    return _MODULE


def unavailable_reason() -> str | None:
    """Why MPI cannot be used here (with the install hint), or ``None`` when it can."""
    if _load() is not None:
        return None
    return f"{_REASON}. {INSTALL_HINT}"


def mpi_available() -> bool:
    """Whether mpi4py and an MPI library load (this initializes MPI)."""
    return _load() is not None


def require_mpi(where: str) -> ModuleType:
    """The ``mpi4py.MPI`` module, or ``MpiUnavailableError`` naming ``where`` and
    how to install MPI."""
    module = _load()
    if module is None:
        raise MpiUnavailableError(f"{where}: {_REASON}. {INSTALL_HINT}")
    return module

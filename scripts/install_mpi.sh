#!/usr/bin/env bash
# Install Open MPI (Debian's openmpi-bin and libopenmpi-dev) for fchain.distributed
# and its tests; mpi4py itself comes with the `mpi` (and `dev`) extra, e.g.
# `.venv/bin/python -m pip install -e ".[mpi]"`.  Needs root and apt-get; does
# nothing when mpirun is already there.  Exits non-zero when it cannot install.
set -euo pipefail
if command -v mpirun >/dev/null 2>&1; then
    echo "Open MPI: $(mpirun --version 2>/dev/null | head -n 1)"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_mpi.sh: needs root and apt-get (Debian/Ubuntu); install Open MPI by hand" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null
echo "Open MPI: $(mpirun --version 2>/dev/null | head -n 1)"

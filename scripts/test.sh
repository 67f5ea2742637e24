#!/usr/bin/env bash
# Set up and run every check: mypy --strict (mypy.ini) and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== mypy --strict"
.venv/bin/python -m mypy
echo "== pytest"
.venv/bin/python -m pytest -q "$@"

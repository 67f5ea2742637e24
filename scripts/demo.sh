#!/usr/bin/env bash
# Set up and run the demo: the tutorial's Variable section.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python examples/tutorial/variables.py

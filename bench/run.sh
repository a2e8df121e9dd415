#!/usr/bin/env bash
# The one command: bash bench/run.sh [--db sqlite|postgresql|all] [--scenarios a,b] [--quick] ...
# Installs wrk when missing, syncs the locked environment, then runs bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y wrk
    else
        sudo apt-get install -y wrk
    fi
fi
uv sync --all-packages --group bench --frozen
exec uv run python bench/run.py "$@"

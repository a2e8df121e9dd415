#!/usr/bin/env bash
# Install everything the tests need (from the lock file) and run every check CI runs.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "==> installing uv"
    python3 -m pip install --quiet uv
fi
uv() { python3 -m uv "$@"; }

echo "==> uv sync (locked, with the benchmark group: the bench smoke test runs the harness)"
uv sync --all-packages --group bench --frozen --quiet

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk (Debian package; the benchmark's load generator)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q wrk >/dev/null 2>&1 || { $SUDO apt-get update -q && $SUDO apt-get install -y -q wrk; }
fi

echo "==> ruff check";          uv run --frozen ruff check .
echo "==> ruff format --check"; uv run --frozen ruff format --check .
echo "==> mypy --strict";       uv run --frozen mypy libs apps src
echo "==> mypy --strict: the demo app"
MYPYPATH=docs/examples/helpdesk uv run --frozen mypy docs/examples/helpdesk/helpdesk
echo "==> mypy: adapters satisfy their ports"
MYPYPATH=tests/standard/db uv run --frozen mypy tests/standard/db/test_unit_of_work.py
echo "==> import-linter";       uv run --frozen lint-imports
echo "==> pytest";              uv run --frozen pytest -n 2 --dist loadscope "$@"  # a module per worker at a time: tests/conftest.py

# The Desk (frontend/): Debian's Chromium for its browser tests, the locked node packages, type
# check, unit tests, the production build (fails when the initial JS is over 300 KB gzipped), and
# the end-to-end tests, which start the helpdesk demo on SQLite and drive it in Chromium.
if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium and fonts-liberation (Debian packages; the Desk's browser tests)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q chromium fonts-liberation >/dev/null 2>&1 || { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium fonts-liberation; }
fi
cd frontend
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (frontend, locked)"; npm ci --no-audit --no-fund
fi
echo "==> tsc -b (frontend)";           npx tsc -b
echo "==> vitest (frontend)";           npx vitest run
echo "==> npm run build (the Desk)";    npm run build
echo "==> playwright (the Desk in Chromium)"; npx playwright test

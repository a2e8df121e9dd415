#!/usr/bin/env bash
# Run the helpdesk demo (docs/examples/helpdesk) on the embedded default: SQLite, one process.
# Installs uv if missing and every dependency from uv.lock, migrates and seeds the demo's
# database, prints the URL and the demo logins, then serves until Ctrl-C.
# Usage: bash scripts/demo.sh
# Environment: DEMO_PORT (default 8000, on 127.0.0.1); DEMO_DATA_DIR, where the database, its
# migrations and the generated signing key are kept (default docs/examples/helpdesk/.demo,
# ignored by git; delete it to start over).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
APP_DIR="$ROOT/docs/examples/helpdesk"
HOST=127.0.0.1
PORT="${DEMO_PORT:-8000}"
DATA="${DEMO_DATA_DIR:-$APP_DIR/.demo}"

if [ -n "${UV:-}" ] && [ -x "$UV" ]; then
    UV_CMD=("$UV")  # the uv that runs us (`uv run` sets UV)
elif command -v uv >/dev/null 2>&1; then
    UV_CMD=(uv)
elif command -v python3 >/dev/null 2>&1 && python3 -m uv --version >/dev/null 2>&1; then
    UV_CMD=(python3 -m uv)
else
    echo "==> installing uv"
    if command -v python3 >/dev/null 2>&1 && python3 -m pip install --quiet uv 2>/dev/null; then
        UV_CMD=(python3 -m uv)
    else
        # No pip, or a system Python that refuses it (PEP 668): the standalone installer.
        curl -LsSf https://astral.sh/uv/install.sh | env UV_UNMANAGED_INSTALL="$HOME/.local/bin" sh
        UV_CMD=("$HOME/.local/bin/uv")
    fi
fi

echo "==> uv sync (locked)"
# --inexact: add what is missing, never remove what else is installed (the bench group, say).
(cd "$ROOT" && "${UV_CMD[@]}" sync --all-packages --frozen --inexact --quiet)
# --project: this script runs in the app's directory (for its framework_config.toml).
run() { "${UV_CMD[@]}" run --project "$ROOT" --frozen --no-sync "$@"; }

mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
cd "$APP_DIR"
export PYTHONPATH="$APP_DIR${PYTHONPATH:+:$PYTHONPATH}"  # the app runs from here, uninstalled
export FRAMEWORK_M_APPS='["helpdesk"]'
export FRAMEWORK_M_ENVIRONMENT=development
export FRAMEWORK_M_DATABASE_URL="sqlite+aiosqlite:///$DATA/helpdesk.db"
export FRAMEWORK_M_MIGRATIONS_DIR="$DATA/migrations"
export FRAMEWORK_M_PROJECT_ROOT="$DATA"  # where development keeps its generated JWT key

echo "==> m migrate ($DATA/helpdesk.db)"
run m migrate
echo "==> seeding the demo data"
run python -m helpdesk.seed

URL="http://$HOST:$PORT"
cat <<EOF

Helpdesk demo: $URL   (sign in: POST $URL/api/v1/auth/login with one of the logins above)
Stop it with Ctrl-C.

EOF
exec "${UV_CMD[@]}" run --project "$ROOT" --frozen --no-sync m start --host "$HOST" --port "$PORT"

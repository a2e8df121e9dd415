#!/usr/bin/env bash
# Run the helpdesk demo (docs/examples/helpdesk) on the embedded default: SQLite, one process.
# Installs uv if missing and every dependency from uv.lock, builds the Desk (frontend/: npm ci
# and npm run build, with the machine's Node.js) when the build is missing or older than its
# sources, migrates and seeds the demo's database, prints the Desk's URL and the demo logins,
# then serves until Ctrl-C.
# Usage: bash scripts/demo.sh
# Environment: DEMO_PORT (default 8000, on 127.0.0.1); DEMO_DATA_DIR, where the database, its
# migrations and the generated signing key are kept (default docs/examples/helpdesk/.demo,
# ignored by git; delete it to start over); DEMO_SKIP_DESK_BUILD=1 serves whatever Desk build
# there is (the e2e tests build it first and test that build).
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

# The Desk: built into framework_m_desk/static (ignored by git), which m start serves at /desk.
DESK_DIR="$ROOT/frontend"
DESK_BUILD="$ROOT/apps/desk/src/framework_m_desk/static/index.html"
desk_stale() {
    [ ! -f "$DESK_BUILD" ] && return 0
    [ -n "$(find "$DESK_DIR/src" "$DESK_DIR/public" "$DESK_DIR/index.html" "$DESK_DIR/package.json" \
        "$DESK_DIR/package-lock.json" "$DESK_DIR/vite.config.ts" -newer "$DESK_BUILD" -print -quit 2>/dev/null)" ]
}
if [ "${DEMO_SKIP_DESK_BUILD:-}" != "1" ] && desk_stale; then
    if command -v npm >/dev/null 2>&1; then
        echo "==> building the Desk (frontend/: npm ci, npm run build)"
        (
            cd "$DESK_DIR"
            if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
                npm ci --no-audit --no-fund
            fi
            npm run build
        )
    else
        echo "==> no npm on this machine: the Desk is not built; serving the API only" >&2
    fi
fi

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

Helpdesk demo: $URL   the Desk: $URL/desk/   (sign in with one of the logins above)
The API: $URL/api/v1, its OpenAPI pages under $URL/schema. Stop it with Ctrl-C.

EOF
exec "${UV_CMD[@]}" run --project "$ROOT" --frozen --no-sync m start --host "$HOST" --port "$PORT"

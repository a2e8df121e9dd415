"""Cold start: process start until ``/healthz`` answers 200, with 200 generated DocTypes.

``m start`` does not exist yet, so the framework starts the way the live-server tests start
it: ``uvicorn --factory framework_m_standard.adapters.web.app:asgi_app``. In production mode
the start does no schema work (that is ``m migrate``'s job), so it measures imports, mapping
the DocTypes, building the routes and the bootstrap. The baseline app starts the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from .databases import BenchDatabase
from .options import Options
from .results import Case, Side, median
from .servers import BASELINE_APP, FRAMEWORK_APP, start_server
from .site import framework_env

PACKAGE = "cold_app"
# Field declarations cycled through so that every DocType has 5-10 fields of mixed types.
FIELDS = (
    "title: str = Field(max_length=140)",
    "qty: int = 0",
    "rate: float = 0.0",
    "active: bool = True",
    "notes: str | None = Field(default=None, max_length=1000)",
    "due: datetime | None = None",
    "code: str = Field(default='', max_length=40)",
    "level: Literal['low', 'mid', 'high'] = 'low'",
    "ref: str | None = None",
    "count: int = Field(default=0, ge=0)",
)


def write_package(directory: Path, doctypes: int) -> Path:
    """A package of ``doctypes`` generated DocTypes; returns the directory to put on the path."""
    package = directory / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Generated DocTypes for the cold-start benchmark."""\n')
    lines = [
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "from typing import Literal",
        "",
        "from pydantic import Field",
        "",
        "from framework_m import DocType",
        "",
        'CRUD = dict.fromkeys(("read", "write", "create", "delete"), ["Employee"])',
    ]
    for n in range(doctypes):
        count = 5 + n % 6
        lines += ["", "", f"class ColdDoc{n:03d}(DocType):"]
        lines += [f"    {FIELDS[(n + k) % len(FIELDS)]}" for k in range(count)]
        lines += ["", "    class Meta:", "        permissions = CRUD"]
    (package / "doctypes.py").write_text("\n".join(lines) + "\n")
    return directory


def _with_bytecode(env: Mapping[str, str], root: Path) -> dict[str, str]:
    """Bytecode written and read under the session's temp dir, never beside the sources:
    a deployed server starts from compiled modules (uv installs without them)."""
    cached = dict(env)
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    cached["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    return cached


def _time_starts(name: str, app: str, env: Mapping[str, str], root: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        server = start_server(name, app, env, root)
        times.append(server.ready_after)
        server.stop()
    return times


def measure_cold_start(
    database: BenchDatabase, root: Path, baseline: Mapping[str, str], options: Options
) -> Case:
    site_dir = write_package(root / "cold_site", options.sizes.cold_start_doctypes)
    env = _with_bytecode(framework_env(database, root, apps=PACKAGE, extra_path=(site_dir,)), root)
    baseline = _with_bytecode(baseline, root)
    if not options.quick:
        # A first start writes the bytecode of the generated module; the timed runs then
        # start the way a deployed server does, from cached bytecode.
        _time_starts("cold-framework", FRAMEWORK_APP, env, root, 1)
        _time_starts("cold-baseline", BASELINE_APP, baseline, root, 1)
    fw = _time_starts("cold-framework", FRAMEWORK_APP, env, root, options.runs)
    bl = _time_starts("cold-baseline", BASELINE_APP, baseline, root, options.runs)
    case = Case(
        scenario="cold_start",
        case="cold_start",
        db=database.kind,
        unit="s",
        framework=Side(value=median(fw), runs=[{"seconds": t} for t in fw]),
        baseline=Side(value=median(bl), runs=[{"seconds": t} for t in bl]),
        title=f"start until /healthz, {options.sizes.cold_start_doctypes} DocTypes",
    )
    print(
        f"[{database.kind}] cold_start    framework {case.framework.value:.2f} s | "
        f"baseline {case.baseline.value:.2f} s",
        file=sys.stderr,
        flush=True,
    )
    return case

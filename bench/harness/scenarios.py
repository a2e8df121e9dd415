"""The HTTP cases: the same request to the framework and to the baseline.

The framework is asked through its generic API (filters as JSON, a bearer token); the baseline
through the plain query parameters a hand-written route takes. Both return the same JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from .wrk import Load

FRAMEWORK = "framework"
BASELINE = "baseline"
SIDES = (FRAMEWORK, BASELINE)

ITEMS = "/api/v1/BenchItem"
OPEN_ITEMS = "/api/v1/BenchOpenItem"
LIST_QUERY = urlencode(
    {"filters": json.dumps([["status", "=", "open"]]), "order_by": "creation desc", "limit": 20}
)
BASELINE_LIST_QUERY = "status=open&limit=20"


@dataclass(frozen=True)
class HttpCase:
    case: str
    scenario: str
    title: str
    framework_path: str
    baseline_path: str
    script: str | None = None
    method: str = "GET"
    ids: str | None = None
    """``alice`` cycles through alice's items; ``pool`` deletes fresh rows, each once."""


CASES: tuple[HttpCase, ...] = (
    HttpCase(
        "list",
        "list",
        "list 20 of alice's open items (RLS)",
        f"{ITEMS}?{LIST_QUERY}",
        f"{ITEMS}?{BASELINE_LIST_QUERY}",
    ),
    HttpCase(
        "get",
        "get",
        "get one item by id",
        ITEMS,
        ITEMS,
        script="by_id.lua",
        ids="alice",
    ),
    HttpCase(
        "list_open",
        "list_rls",
        "list 20 open items, no RLS",
        f"{OPEN_ITEMS}?{LIST_QUERY}",
        f"{OPEN_ITEMS}?{BASELINE_LIST_QUERY}",
    ),
    HttpCase(
        "child_list",
        "child_list",
        "list 20 orders with 3 lines each",
        "/api/v1/BenchOrder?limit=20",
        "/api/v1/BenchOrder?limit=20",
    ),
    HttpCase(
        "events_count",
        "count_1m",
        "count the events table (both sides stop at the framework's http.count_limit)",
        "/api/v1/BenchEvent/count",
        "/api/v1/BenchEvent/count",
    ),
    HttpCase(
        "events_list",
        "count_1m",
        "first page of the events table",
        "/api/v1/BenchEvent?limit=20",
        "/api/v1/BenchEvent?limit=20",
    ),
    HttpCase(
        "update",
        "update",
        'update {"qty": n} by id',
        ITEMS,
        ITEMS,
        script="by_id.lua",
        method="PUT",
        ids="alice",
    ),
    HttpCase("create", "create", "create one item", ITEMS, ITEMS, script="create.lua"),
    HttpCase(
        "delete",
        "delete",
        "delete by id, each row once",
        ITEMS,
        ITEMS,
        script="by_id.lua",
        method="DELETE",
        ids="pool",
    ),
)


def cases_for(scenarios: tuple[str, ...]) -> list[HttpCase]:
    """The cases of the chosen scenarios; the RLS comparison needs the RLS-on list as well."""
    chosen = set(scenarios)
    if "list_rls" in chosen:
        chosen.add("list")
    return [case for case in CASES if case.scenario in chosen]


def load(
    case: HttpCase, side: str, base_url: str, headers: Mapping[str, str], ids_file: Path | None
) -> Load:
    """What wrk sends to one side for one case."""
    path = case.framework_path if side == FRAMEWORK else case.baseline_path
    if case.script is None:
        return Load(url=f"{base_url}{path}", headers=headers)
    if case.script == "create.lua":
        return Load(url=f"{base_url}{path}", headers=headers, script=case.script, args=(path,))
    if ids_file is None:
        raise ValueError(f"{case.case} needs a file of ids")
    args = (case.method, path, str(ids_file), *(("once",) if case.ids == "pool" else ()))
    return Load(url=f"{base_url}{path}", headers=headers, script=case.script, args=args)

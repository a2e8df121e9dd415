"""wrk, pinned to the client core, and the numbers read from its ``--latency`` report."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .servers import CLIENT_CORE

LUA_DIR = Path(__file__).parent / "lua"
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class Load:
    """What wrk sends: a URL, headers, and optionally a lua script with its arguments."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    script: str | None = None
    """A file name in ``lua/``."""
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def command(load: Load, *, duration: int, connections: int) -> list[str]:
    cmd = [
        "taskset",
        "-c",
        CLIENT_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        # Slow requests are measured, not dropped as wrk's default 2 s timeouts.
        "--timeout",
        "30s",
        "--latency",
    ]
    for name, value in load.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if load.script is not None:
        cmd += ["-s", str(LUA_DIR / load.script)]
    cmd.append(load.url)
    if load.args:
        cmd += ["--", *load.args]
    return cmd


def run_wrk(load: Load, *, duration: int, connections: int) -> WrkResult:
    cmd = command(load, duration=duration, connections=connections)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)


def parse(output: str) -> WrkResult:
    percentiles = {int(p): float(v) * _UNITS_MS[u] for p, v, u in _PERCENTILE.findall(output)}
    rps, total = _RPS.search(output), _TOTAL.search(output)
    if rps is None or total is None or set(percentiles) != {50, 99}:
        raise RuntimeError(f"Cannot read wrk's report:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket = _SOCKET.search(output)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
    )

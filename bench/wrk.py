"""Driving wrk: a Lua script per request shape, a bounded run, parsed results.

The script sets the request once (method, body, headers), so wrk builds it
once and spends nothing per request in Lua; its ``done`` hook prints the
counts and latency percentiles as one JSON line, which is parsed here rather
than wrk's human-readable table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from .server import taskset

MARKER = "BENCH_WRK_JSON "

_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "mean_us": %.1f, "max_us": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d}\n',
    "BENCH_WRK_JSON ", summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    """One wrk run. ``bad`` counts the responses that are not the expected
    status (wrk counts non-2xx/3xx in ``status``) plus socket errors."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bad: int
    socket_errors: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal here


def lua_script(method: str = "GET", body: str | None = None,
               headers: Mapping[str, str] | None = None) -> str:
    """A wrk script sending one fixed request, plus the JSON ``done`` hook."""
    lines = [f"wrk.method = {_lua_string(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {_lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    return "\n".join(lines) + "\n" + _DONE


def parse_output(stdout: str, expected_status: int = 200) -> WrkResult:
    """The result from wrk's stdout (the ``done`` hook's JSON line)."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            break
    else:
        raise WrkError(f"no result line in wrk's output:\n{stdout[-2000:]}")
    requests = data["requests"]
    duration_s = data["duration_us"] / 1e6
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    not_2xx = data["status"]
    # wrk cannot tell a 404 from a 500: for an expected error status every
    # response must be "not 2xx/3xx"; otherwise none may be.
    bad = (requests - not_2xx if expected_status >= 400 else not_2xx) + socket_errors
    return WrkResult(
        requests=requests,
        duration_s=duration_s,
        rps=requests / duration_s if duration_s else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        bad=bad,
        socket_errors=socket_errors,
    )


def run(url: str, script: Path, duration: float, *, connections: int = 8, threads: int = 1,
        cpu: int | None = None, expected_status: int = 200) -> WrkResult:
    """Run wrk for ``duration`` seconds (killed if it overruns by 30 s)."""
    if shutil.which("wrk") is None:
        raise WrkError("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu)")
    seconds = max(1, round(duration))
    command = [
        *taskset(cpu), "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
        "--timeout", "5s", "-s", str(script), url,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk overran its time: {' '.join(command)}") from exc
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return parse_output(done.stdout, expected_status)

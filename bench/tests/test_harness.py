"""The harness's own logic: wrk scripts and output, same-round ratios, and
real servers started and stopped by PID.  No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import wrk
from bench.peers import CONTENDERS
from bench.report import summarize, table
from bench.runner import Measurement, Options, RunResult
from bench.scenarios import SCENARIOS, TFB_HEADERS, check_response
from bench.server import request, running

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:1/json
  1 threads and 8 connections
BENCH_WRK_JSON {"requests": 2000, "duration_us": 2000000, "bytes": 1, "connect": 0, \
"read": 0, "write": 0, "status": 3, "timeout": 1, "mean_us": 900.0, "max_us": 9000, \
"p50_us": 800, "p90_us": 1500, "p99_us": 4000}
"""


def test_wrk_output_is_parsed() -> None:
    result = wrk.parse_output(WRK_OUTPUT)
    assert result.requests == 2000
    assert result.rps == 1000.0
    assert (result.p50_ms, result.p99_ms) == (0.8, 4.0)
    assert result.bad == 4  # 3 non-2xx + 1 timeout


def test_an_expected_404_counts_the_other_responses_as_bad() -> None:
    assert wrk.parse_output(WRK_OUTPUT, expected_status=404).bad == 2000 - 3 + 1


def test_lua_script_sets_one_request() -> None:
    script = wrk.lua_script("POST", 'a="b"', {"Cookie": "x=1"})
    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = "a=\\"b\\""' in script
    assert 'wrk.headers["Cookie"] = "x=1"' in script
    assert "done = function" in script


def _result(rps: float) -> wrk.WrkResult:
    return wrk.WrkResult(int(rps), 1.0, rps, 1.0, 2.0, 3.0, 4.0, 0, 0)


def test_ratios_are_taken_within_a_round_and_their_median_reported() -> None:
    options = Options(scenarios=("json",), contenders=("bare_pyramid", "podium"), rounds=3)
    run = RunResult("sqlite")
    # The machine slows down in round 2: per-round ratios stay 0.5, 0.5, 0.6.
    for r, (base, podium) in enumerate([(1000, 500), (100, 50), (1000, 600)]):
        run.measurements.append(Measurement(r, "json", "bare_pyramid", _result(base)))
        run.measurements.append(Measurement(r, "json", "podium", _result(podium)))
    rows = {row["contender"]: row for row in summarize(run, options)}
    assert rows["podium"]["ratio"] == pytest.approx(0.5)
    assert rows["podium"]["rps"] == 500
    assert rows["bare_pyramid"]["ratio"] == 1.0
    assert "0.50x" in table(list(rows.values()), "title")


def test_a_failed_measurement_is_reported_not_averaged() -> None:
    options = Options(scenarios=("json",), contenders=("bare_pyramid", "podium"), rounds=1)
    run = RunResult("sqlite", [
        Measurement(0, "json", "bare_pyramid", _result(1000)),
        Measurement(0, "json", "podium", problem="status 500"),
    ])
    rows = {row["contender"]: row for row in summarize(run, options)}
    assert rows["podium"]["rps"] is None
    assert rows["podium"]["problems"] == ["status 500"]
    assert "NOT MEASURED" in table(list(rows.values()), "title")


def test_servers_add_server_and_date_and_are_stopped(bench_db_url: str, tmp_path: Path) -> None:
    """Every contender behind a real waitress: TechEmpower's Server and Date
    headers come from the server; the processes are gone afterwards.  Podium
    runs with production.ini, so the database is migrated first, as the
    harness does it."""
    from bench.distinfo import bench_plugin_paths
    from bench.peers import podium_app

    extra = bench_plugin_paths(tmp_path / "site")
    podium_app.prepare_database(bench_db_url, tmp_path, extra)
    specs = [
        {"name": name, "factory": c.factory, "db_url": bench_db_url, "workdir": tmp_path,
         "threads": 2, "extra_paths": extra, "probe_path": c.prefix + "/json"}
        for name, c in CONTENDERS.items()
    ]
    with running(specs) as servers:
        for name, server in servers.items():
            for scenario in ("plaintext", "json"):
                url = SCENARIOS[scenario].url(CONTENDERS[name].prefix)
                status, headers, body = request(server.port, url, headers=TFB_HEADERS)
                assert check_response(scenario, status, headers, body, from_server=True) == [], (
                    name, scenario)
        processes = [s.process for s in servers.values()]
    assert all(p.poll() is not None for p in processes)

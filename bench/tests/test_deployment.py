"""Reading bench/deployment.sh's output into same-round ratios (no timing)."""

from __future__ import annotations

import pytest

from bench.deployment import parse, summarize

OUTPUT = """\
single-pinned 4000.00 req/s p99 6.00ms
single-unpinned 2000.00 req/s p99 12.50ms
workers-unpinned 6000.00 req/s p99 5.00ms
single-pinned 5000.00 req/s p99 900.00us errors 0
single-unpinned 2500.00 req/s p99 1.20s errors 3
workers-unpinned 8000.00 req/s p99 4.00ms errors 2
single-pinned 1000.00 req/s p99 7.00ms
"""


def test_rounds_are_grouped_and_units_read():
    rounds = parse(OUTPUT)
    assert len(rounds) == 2  # the unfinished third round is dropped
    assert rounds[1]["single-pinned"] == {"rps": 5000.0, "p99_ms": 0.9, "errors": 0}
    assert rounds[0]["single-pinned"]["errors"] == 0  # a line from before errors were counted
    assert rounds[1]["single-unpinned"]["p99_ms"] == 1200.0


def test_ratios_are_taken_within_a_round_then_the_median():
    summary = summarize(parse(OUTPUT))
    assert summary["workers_vs_pinned"] == pytest.approx((1.5 + 1.6) / 2)
    assert summary["workers_vs_pinned_range"] == [1.5, 1.6]
    assert summary["unpinned_vs_pinned"] == pytest.approx(0.5)
    assert summary["workers_p99_ms"] == pytest.approx(4.5)
    assert summary["errors"] == 5


def test_nothing_measured_summarizes_to_nothing():
    assert parse("pserve: error\n") == [] and summarize([]) == {}


CPU_OUTPUT = """\
single-pinned 1000.00 req/s p99 6.00ms errors 0 cpu us/request app 800 postgres 100 wrk 100
single-unpinned 800.00 req/s p99 8.00ms errors 0 cpu us/request app 900 postgres 100 wrk 100
workers-unpinned 1600.00 req/s p99 5.00ms errors 0 cpu us/request app 800 postgres 100 wrk 100
single-pinned 1000.00 req/s p99 6.00ms errors 0 cpu us/request app 600 postgres 200 wrk 200
single-unpinned 800.00 req/s p99 8.00ms errors 0 cpu us/request app 700 postgres 100 wrk 200
workers-unpinned 1500.00 req/s p99 5.00ms errors 0 cpu us/request app 600 postgres 200 wrk 200
"""


def test_cpu_per_request_and_what_the_cores_allow():
    rounds = parse(CPU_OUTPUT)
    assert rounds[0]["workers-unpinned"]["cpu_us"] == {"app": 800, "postgres": 100, "wrk": 100}
    summary = summarize(rounds)
    assert summary["cpu_us_per_request"]["single-pinned"] == {
        "app": 700, "postgres": 150, "wrk": 150}
    # both cores at 1000 us a request: 2000 req/s, 2.0x the pinned 1000
    assert summary["workers_ceiling"] == pytest.approx(2.0)


def test_lines_without_cpu_figures_summarize_without_them():
    assert "workers_ceiling" not in summarize(parse(OUTPUT))

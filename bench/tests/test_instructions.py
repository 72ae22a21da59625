"""bench.instructions: callgrind dumps are read right, and a real server
under callgrind gives a count per scenario that covers only its requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.instructions import (
    CallgrindError,
    Count,
    count_contender,
    dump_summary,
    ratios,
    table,
)

DUMP = b"""version: 1
creator: callgrind-3.19.0
cmd:  python -m bench.serve
part: 2
desc: Trigger: dump podium-json
events: Ir
summary: 610447913

fn=(1) main
0 3
totals: 634162568
"""


def test_the_summary_line_is_the_count_since_the_last_zero() -> None:
    assert dump_summary(DUMP) == 610447913


def test_a_dump_still_being_written_has_no_count_yet() -> None:
    assert dump_summary(DUMP.split(b"fn=")[0]) is None


def test_a_complete_dump_without_summary_is_an_error() -> None:
    with pytest.raises(CallgrindError, match="summary"):
        dump_summary(DUMP.replace(b"summary: 610447913\n", b""))


def test_ratio_is_the_baseline_over_the_contender_per_request() -> None:
    counts = [
        Count("json", "bare_pyramid", 100, 50_000_000),
        Count("json", "podium", 200, 110_000_000),
        Count("db", "podium", 100, 90_000_000),  # no baseline for db: no ratio
    ]
    assert ratios(counts, "bare_pyramid") == {
        ("json", "bare_pyramid"): 1.0, ("json", "podium"): pytest.approx(500_000 / 550_000)}
    shown = table(counts, "bare_pyramid")
    assert "0.909x" in shown and "baseline" in shown and "900,000" in shown


@pytest.mark.skipif(shutil.which("callgrind_control") is None, reason="valgrind not installed")
def test_a_server_under_callgrind_is_counted_per_scenario(tmp_path: Path) -> None:
    """The raw WSGI contender (the quickest to start under valgrind) counted
    with 20 and with 60 requests: each scenario gets its own dump, and the
    count per request does not depend on how many were sent, so neither the
    start-up nor the warm-up nor the scenario before is in it.

    The tolerance is not 0: waitress's I/O thread wakes up by the clock, and
    a CI run once saw one count of 20 requests 2.8% above the other's.
    Counting start-up (tens of millions of instructions) or the previous
    scenario would put the short run far outside it."""
    short, long = (
        count_contender("raw_wsgi", ("plaintext", "json"), "sqlite://", tmp_path / str(n),
                        (), requests=n, warmup=5, threads=2, hash_seed=0)
        for n in (20, 60)
    )
    for counts in (short, long):
        assert [c.scenario for c in counts] == ["plaintext", "json"]
        assert all(5_000 < c.per_request < 5_000_000 for c in counts)
    # Plaintext and JSON differ (the JSON one encodes), so each count is its own dump.
    assert short[0].instructions != short[1].instructions
    assert [c.per_request for c in short] == pytest.approx(
        [c.per_request for c in long], rel=0.1)

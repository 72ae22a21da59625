"""Many clients against ``pserve production.ini`` (two workers): nothing lost, no 5xx.

CLIENTS threads, each with a keep-alive connection, create, read, update and
delete notes through the JSON API for SECONDS seconds (``load_clients.py``),
on a SQLite file and on a PostgreSQL database of the test's own.  Every
answer must be the one that acknowledges its operation (201, 200, 204, or
404 for a note the client deleted), never a 5xx; every read shows the last
acknowledged write; afterwards the database holds exactly what was
acknowledged: each acknowledged create with its last acknowledged content,
no acknowledged delete, no row nobody was told about.

The figures (requests, statuses, p50/p99 latency, writes checked) are printed
on one line (``pytest -s``) and attached with ``record_property``; speed is
reported, never asserted.  ``PODIUM_TEST_LOAD_CLIENTS`` and
``PODIUM_TEST_LOAD_SECONDS`` shorten a local run; CI runs 20 x 20 s.
"""

from __future__ import annotations

import os
import time

import pytest
from load_clients import (
    CRUD_MIX,
    figures,
    log_excerpt,
    run_load,
    serve_production,
    stored_notes,
    summary,
    verify,
)

from podium.testing import temporary_database
from podium.testing.database import postgresql_admin_url

CLIENTS = int(os.environ.get("PODIUM_TEST_LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("PODIUM_TEST_LOAD_SECONDS", "20"))
WORKERS = 2

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_clients_lose_no_write_and_get_no_5xx(backend, tmp_path, record_property):
    began = time.monotonic()
    with temporary_database(backend, tmp_path) as url:
        with serve_production(url, tmp_path, workers=WORKERS) as (base, log):
            result = run_load(base, clients=CLIENTS, seconds=SECONDS, mix=CRUD_MIX)
        report = verify(result, stored_notes(url))
    values = {"backend": backend, "clients": CLIENTS, "seconds": SECONDS, "workers": WORKERS,
              **figures(result, report), "wall_s": round(time.monotonic() - began, 1)}
    for key, value in values.items():
        record_property(key, value)
    print("\n" + summary(f"load[{backend}]", values))

    server_errors = [e for e in result.exchanges if e.status >= 500]
    assert not server_errors and not result.failures and not report.problems, (
        f"{len(server_errors)} response(s) >= 500, {len(result.failures)} unexpected "
        f"answer(s), {len(report.problems)} write(s) not stored as acknowledged:\n"
        + "\n".join(result.failures[:15] + report.problems[:15])
        + "\n--- server log ---\n" + log_excerpt(log))
    # A create answered 503 ("nothing was saved"), if any was, is not stored.
    assert not report.refused_but_stored, report.refused_but_stored[:20]
    # The run did test something: every kind of write was acknowledged many times.
    assert all(result.acknowledged[op] >= CLIENTS for op in ("create", "update", "delete")), \
        result.acknowledged

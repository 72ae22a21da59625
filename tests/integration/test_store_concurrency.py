"""Concurrent writes through real waitress servers: no lost update, no phantom.

Client threads increment one counter and append one row each through HTTP
(the counter plugin, ``tests/counter_plugin.py``).  The increment is a single
``UPDATE counter_counter SET n = n + 1``: atomic on both databases (PostgreSQL
takes the row lock and re-reads the row; SQLite has one writer at a time),
so no read-modify-write can lose an update.  At the end the counter equals
the number of acknowledged increments, each acknowledged row is there, each
value was handed out once, and nothing unacknowledged was kept.

Then the same against two app processes on one PostgreSQL database: the
deployment of docs/deploy.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from counter_plugin import counter_installed, migrate
from sqlalchemy import create_engine, text

from podium.testing import temporary_database
from podium.testing.database import postgresql_admin_url
from podium.testing.servers import free_port, running_pserve

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, PER_CLIENT = 12, 15
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not postgresql_admin_url(), reason="PODIUM_TEST_DATABASE_URL is not set"))]



@contextlib.contextmanager
def served(url: str, site: Path, directory: Path, count: int = 1) -> Iterator[list[str]]:
    """``count`` pserve processes of the counter plugin, each on a free port,
    started together; stopped by their PIDs whatever happens."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "tests")])}
    with contextlib.ExitStack() as stack:
        bases = []
        for _ in range(count):
            port = free_port()
            ini = directory / f"serve-{port}.ini"
            ini.write_text(
                "[app:main]\nuse = egg:podium\npodium.plugins = counter\n"
                f"podium.secret = {'s' * 40}\nsqlalchemy.url = {url}\n"
                "[server:main]\nuse = egg:waitress#main\n"
                f"listen = 127.0.0.1:{port}\nthreads = 8\n")
            bases.append(stack.enter_context(running_pserve(
                ini, port, env=environ, cwd=directory, ready_path="/counter/value")))
        yield bases


def increment(base: str, token: str) -> int | None:
    """The counter's new value if the server acknowledged the write, else None."""
    request = urllib.request.Request(
        base + "/counter/increment", data=json.dumps({"token": token}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["n"]
    except urllib.error.HTTPError as error:
        assert error.code == 503, error.read()  # busy after every retry: not written
        return None


def hammer(bases: list[str]) -> dict[str, int]:
    """CLIENTS threads, PER_CLIENT increments each, spread over ``bases``."""
    def client(number: int) -> dict[str, int]:
        acknowledged = {}
        for i in range(PER_CLIENT):
            token = f"{number}-{i}-{uuid.uuid4().hex[:6]}"
            value = increment(bases[(number + i) % len(bases)], token)
            if value is not None:
                acknowledged[token] = value
        return acknowledged

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    return {token: value for result in results for token, value in result.items()}


def check_integrity(url: str, acknowledged: dict[str, int]) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(text("SELECT n FROM counter_counter")).scalar_one()
            rows = dict(conn.execute(text("SELECT token, value FROM counter_entry")).all())
    finally:
        engine.dispose()
    assert len(acknowledged) > CLIENTS * PER_CLIENT * 0.9  # the test did test something
    assert n == len(acknowledged)                  # no lost update, no phantom increment
    assert rows == acknowledged                    # every acknowledged row, as acknowledged
    assert sorted(rows.values()) == list(range(1, n + 1))  # each value handed out once


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[tuple[str, Path]]:
    with counter_installed(tmp_path / "site"), \
            temporary_database(request.param, tmp_path) as url:
        migrate(url)
        yield url, tmp_path / "site"


def test_concurrent_increments_through_waitress(database, tmp_path):
    url, site = database
    with served(url, site, tmp_path) as bases:
        acknowledged = hammer(bases)
    check_integrity(url, acknowledged)


def test_two_processes_on_one_postgresql_database(database, tmp_path):
    url, site = database
    if not url.startswith("postgresql"):
        pytest.skip("several processes on one database is PostgreSQL's deployment")
    with served(url, site, tmp_path, count=2) as bases:
        acknowledged = hammer(bases)
    check_integrity(url, acknowledged)

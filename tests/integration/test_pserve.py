"""``pserve development.ini`` on a real waitress, as ``make run`` starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from podium.testing.servers import fetch, running_pserve

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def server(tmp_path, free_port):
    environ = {**os.environ, "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}"}
    subprocess.run([str(BIN / "podium"), "db", "upgrade", "development.ini"], cwd=ROOT,
                   env=environ, check=True, capture_output=True, timeout=120)
    port = free_port
    # development.ini as shipped, but on a free port: tests never bind a fixed one.
    ini = tmp_path / "development.ini"
    ini.write_text((ROOT / "development.ini").read_text().replace(
        "listen = 127.0.0.1:6543", f"listen = 127.0.0.1:{port}"))
    with running_pserve(ini, port, env=environ, cwd=ROOT) as base:
        yield base


def test_pserve_serves_home_and_notes(server):
    status, body = fetch(server + "/")
    assert status == 200 and "Notes" in body
    status, body = fetch(server + "/notes/")
    assert (status == 200 and "<form" in body) or "note" in body.lower()
    status, body = fetch(server + "/notes/api/notes")
    assert status == 200 and '"items"' in body

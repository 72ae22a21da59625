"""``egg:podium#workers``: the production server, run by pserve."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from podium.server import parse_listen, worker_count

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


@pytest.fixture
def workers(tmp_path, free_port):
    port = free_port
    database = f"sqlite:///{tmp_path / 'workers.sqlite'}"
    environ = {**os.environ, "PODIUM_DATABASE_URL": database, "PODIUM_PLUGINS": "notes",
               "PODIUM_SECRET": secrets.token_urlsafe(48),
               "PODIUM_ALLOWED_HOSTS": "127.0.0.1 localhost"}
    subprocess.run([str(BIN / "podium"), "db", "upgrade", "production.ini"], cwd=ROOT,
                   env=environ, check=True, capture_output=True, timeout=120)
    ini = tmp_path / "production.ini"
    ini.write_text((ROOT / "production.ini").read_text()
                   .replace("listen = 0.0.0.0:6543", f"listen = 127.0.0.1:{port}")
                   .replace("workers = auto", "workers = 2")
                   .replace("%(here)s/alembic", str(ROOT / "alembic")))
    log = open(tmp_path / "pserve.log", "w+")
    process = subprocess.Popen([str(BIN / "pserve"), str(ini)], env=environ, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/") == 200 or process.poll() is not None)
        assert process.poll() is None, (log.seek(0), log.read())
        yield process, f"http://127.0.0.1:{port}"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # the test stopped it already
            pass
        process.wait()
        log.close()


def test_workers_serve_restart_and_stop(workers):
    process, base = workers
    assert all(get(base + "/notes/") == 200 for _ in range(10))
    pids = wait_for(lambda: children(process.pid) if len(children(process.pid)) == 2 else None)
    victim = min(pids)
    os.kill(victim, signal.SIGKILL)
    replaced = wait_for(lambda: (c := children(process.pid)) and victim not in c and len(c) == 2
                        and c)
    assert len(replaced - pids) == 1
    assert get(base + "/notes/") == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    for pid in replaced:
        wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists()
                 or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2])


def test_parse_listen_and_worker_count():
    assert parse_listen("0.0.0.0:6543 [::1]:80") == [("0.0.0.0", 6543), ("::1", 80)]
    assert worker_count("auto") == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError, match="expected auto or a whole number"):
        worker_count("0")

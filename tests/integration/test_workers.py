"""``egg:podium#workers``: the production server, run by a real pserve.

The supervisor restarts a dead worker, refuses a port already served, takes
its workers with it however it dies, drains on SIGTERM (no request in
flight is lost) and restarts its workers one at a time on SIGHUP with no
failed request, the new workers running the code installed now.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from podium.workers import parse_listen, worker_count
from podium.workers.options import WorkerOptionError, parse_options

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

#: A plugin whose answer is its code's version, and a view that takes its time.
SLOW_PLUGIN = '''
import time

from pyramid.response import Response

VERSION = "{version}"


def version(request):
    return Response(VERSION)


def sleep(request):
    time.sleep(min(float(request.params.get("s", "1")), 5.0))
    return Response("slept " + str(len(request.body)))


def includeme(config):
    config.add_route("slow.version", "/version")
    config.add_route("slow.sleep", "/sleep")
    config.add_view(version, route_name="slow.version")
    config.add_view(sleep, route_name="slow.sleep", require_csrf=False)
'''


def children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float = 30.0):
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


class Site:
    """A production.ini copy served by pserve on a free loopback port."""

    def __init__(self, tmp_path: Path, port: int, plugin_root: Path):
        self.tmp_path = tmp_path
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.env = {**os.environ,
                    "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'workers.sqlite'}",
                    "PODIUM_PLUGINS": "notes slow",
                    "PODIUM_SECRET": secrets.token_urlsafe(48),
                    "PODIUM_ALLOWED_HOSTS": "127.0.0.1 localhost",
                    "PYTHONPATH": os.pathsep.join([str(plugin_root),
                                                   os.environ.get("PYTHONPATH", "")])}
        self.ini = tmp_path / "production.ini"
        self.ini.write_text((ROOT / "production.ini").read_text()
                            .replace("listen = 0.0.0.0:6543", f"listen = 127.0.0.1:{port}")
                            .replace("workers = auto", "workers = 2")
                            .replace("drain_timeout = 30", "drain_timeout = 10")
                            .replace("%(here)s/alembic", str(ROOT / "alembic")))
        subprocess.run([str(BIN / "podium"), "db", "upgrade", str(self.ini)], env=self.env,
                       check=True, capture_output=True, timeout=120)
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str = "pserve") -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "w+")
        process = subprocess.Popen([str(BIN / "pserve"), str(self.ini)], env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def serve(self) -> subprocess.Popen:
        process = self.start()
        wait_for(lambda: get(self.base + "/") == 200 or process.poll() is not None)
        assert process.poll() is None, self.output(process)
        wait_for(lambda: len(children(process.pid)) == 2)
        return process

    @staticmethod
    def output(process: subprocess.Popen) -> str:
        process.log.seek(0)  # type: ignore[attr-defined]
        return process.log.read()  # type: ignore[attr-defined]

    def close(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
            process.log.close()  # type: ignore[attr-defined]


@pytest.fixture
def site(tmp_path, free_port, make_plugin):
    make_plugin("slow", SLOW_PLUGIN.format(version="one"))
    site = Site(tmp_path, free_port, tmp_path / "site")
    try:
        yield site
    finally:
        site.close()


class Clients:
    """Threads sending GETs over keep-alive connections until stopped.

    A GET on a reused connection that the server closed while it was idle
    is sent again on a new connection, as HTTP clients do (RFC 9112, 9.3.1);
    a POST never is.  Any other error counts as a failure, and so does a
    refused connection unless ``refused_ok``."""

    def __init__(self, port: int, paths: list[str], count: int, refused_ok: bool = False):
        self.port, self.paths, self.refused_ok = port, paths, refused_ok
        self.statuses: Counter[int] = Counter()
        self.bodies: Counter[str] = Counter()
        self.failures: list[str] = []
        self.refused = 0
        self.running = True
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client, args=(n,)) for n in range(count)]

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def client(self, n: int) -> None:
        connection, used = None, False
        i = 0
        while self.running:
            method, _, path = self.paths[(n + i) % len(self.paths)].partition(" ")
            i += 1
            for attempt in (1, 2):
                if connection is None:
                    connection, used = http.client.HTTPConnection(
                        "127.0.0.1", self.port, timeout=20), False
                try:
                    connection.request(method, path, body=b"" if method == "POST" else None)
                    response = connection.getresponse()
                    body = response.read().decode()
                except (http.client.RemoteDisconnected, ConnectionResetError,
                        BrokenPipeError) as error:
                    connection.close()
                    connection = None
                    if used and attempt == 1 and method == "GET":
                        continue  # an idle keep-alive connection closed: send again
                    self.fail(f"{path}: {error!r}")
                except ConnectionRefusedError as error:
                    connection = None
                    if self.refused_ok:
                        with self.lock:
                            self.refused += 1
                        time.sleep(0.05)
                    else:
                        self.fail(f"{path}: {error!r}")
                except OSError as error:
                    connection = None
                    self.fail(f"{path}: {error!r}")
                else:
                    used = True
                    with self.lock:
                        self.statuses[response.status] += 1
                        if path.startswith("/slow/version"):
                            self.bodies[body] += 1
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                        connection = None
                break

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def test_workers_serve_restart_and_stop(site):
    process = site.serve()
    assert all(get(site.base + "/notes/") == 200 for _ in range(10))
    pids = children(process.pid)
    victim = min(pids)
    os.kill(victim, signal.SIGKILL)
    replaced = wait_for(lambda: (c := children(process.pid)) and victim not in c
                        and len(c) == 2 and c)
    assert len(replaced - pids) == 1
    wait_for(lambda: get(site.base + "/notes/") == 200)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    for pid in replaced:
        wait_for(lambda pid=pid: not alive(pid))


def test_workers_die_with_their_supervisor(site):
    process = site.serve()
    workers = children(process.pid)
    process.kill()  # no chance to stop them
    process.wait()
    for pid in workers:
        wait_for(lambda pid=pid: not alive(pid), timeout=15)
    assert get(site.base + "/") == 0


def test_a_second_supervisor_on_a_served_port_refuses_to_start(site):
    first = site.serve()
    second = site.start("second")
    assert second.wait(timeout=60) == 1
    output = site.output(second)
    assert f"listen = 127.0.0.1:{site.port}: the address is already in use" in output
    assert "Traceback" not in output
    assert first.poll() is None and get(site.base + "/") == 200


def test_sigterm_finishes_the_requests_in_flight(site):
    process = site.serve()
    results: dict[str, str] = {}

    def slow_get():
        with urllib.request.urlopen(site.base + "/slow/sleep?s=4", timeout=20) as response:
            results["get"] = response.read().decode()

    slow = threading.Thread(target=slow_get)
    slow.start()
    # A POST whose body is still on its way when the stop comes.
    upload = socket.create_connection(("127.0.0.1", site.port), timeout=20)
    upload.sendall(b"POST /slow/sleep?s=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nhello")
    time.sleep(0.5)
    with Clients(site.port, ["GET /slow/version", "GET /notes/",
                                  "POST /slow/sleep?s=0.2"], 4, refused_ok=True) as clients:
        time.sleep(2.0)
        process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        upload.sendall(b"world")
        answer = b""
        while chunk := upload.recv(4096):  # the drain closes it after the answer
            answer += chunk
        slow.join(timeout=20)
    upload.close()
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"slept 10"), answer
    assert b"Connection: close" in answer
    assert results == {"get": "slept 0"}
    print(f"\nSIGTERM under load: {sum(clients.statuses.values())} requests, statuses "
          f"{dict(clients.statuses)}, {clients.refused} refused after the stop, "
          f"{len(clients.failures)} failed")
    assert clients.failures == [], clients.failures[:5]
    assert set(clients.statuses) == {200} and clients.refused > 0
    assert process.wait(timeout=20) == 0, site.output(process)
    assert get(site.base + "/") == 0


def test_sighup_restarts_every_worker_with_new_code_and_no_failed_request(site):
    process = site.serve()
    before = children(process.pid)
    module = next((site.tmp_path / "site").glob("slow_*/__init__.py"))
    with Clients(site.port, ["GET /slow/version", "GET /notes/",
                                  "POST /slow/sleep?s=0.2"], 6) as clients:
        time.sleep(1.0)
        module.write_text(SLOW_PLUGIN.format(version="two"))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: (c := children(process.pid)) and len(c) == 2 and not c & before,
                 timeout=60)
        wait_for(lambda: clients.bodies["two"] > 20)
        time.sleep(0.5)
    print(f"\nSIGHUP under load: {sum(clients.statuses.values())} requests, statuses "
          f"{dict(clients.statuses)}, versions {dict(clients.bodies)}, "
          f"{len(clients.failures)} failed")
    assert clients.failures == [], clients.failures[:5]
    assert set(clients.statuses) == {200}, clients.statuses
    assert clients.bodies["one"] > 0 and clients.bodies["two"] > 0
    for pid in before:
        wait_for(lambda pid=pid: not alive(pid))
    assert "rolling restart done" in site.output(process)
    assert process.poll() is None


def test_parse_listen_and_worker_count():
    assert parse_listen("0.0.0.0:6543 [::1]:80") == [("0.0.0.0", 6543), ("::1", 80)]
    assert worker_count("auto") == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError, match="expected auto or a whole number"):
        worker_count("0")


@pytest.mark.parametrize(("options", "message"), [
    ({"listen": "localhost"}, "listen = 'localhost': 'localhost' is not HOST:PORT"),
    ({"workers": "two"}, "workers = 'two': expected auto or a whole number >= 1"),
    ({"pin": "maybe"}, "pin = 'maybe': expected true or false"),
    ({"drain_timeout": "0"}, "drain_timeout = '0': expected a number of seconds > 0"),
    ({"port": "80"}, "port = '80': egg:podium#workers binds its own sockets"),
])
def test_bad_options_name_the_option_the_value_and_what_is_allowed(options, message):
    with pytest.raises(WorkerOptionError, match=message.replace("#", "\\#")):
        parse_options(**options)


def test_a_bad_option_stops_pserve_with_one_line(site):
    site.ini.write_text(site.ini.read_text().replace("workers = 2", "workers = none"))
    process = site.start()
    assert process.wait(timeout=60) == 1
    output = site.output(process)
    assert "Error: [server:main] workers = 'none': expected auto or a whole number" in output
    assert "Traceback" not in output

"""Starting and stopping contender servers.

Each server is ``python -m bench.serve`` in a new session (its own process
group), optionally pinned to one CPU with ``taskset``.  It is stopped by its
process group id, with SIGTERM then SIGKILL, on every exit path: a
benchmark that fails must not leave a server eating the CPU the next
measurement runs on.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import REPO_ROOT

START_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


class ServerError(RuntimeError):
    """A server did not start or did not answer; the message has its log's tail."""


def taskset(cpu: int | None) -> list[str]:
    """The command prefix that pins to ``cpu`` (nothing when ``cpu`` is None)."""
    if cpu is None:
        return []
    if shutil.which("taskset") is None:
        raise ServerError("taskset is not installed (util-linux); run with --no-pin")
    return ["taskset", "-c", str(cpu)]


def child_environment(extra_paths: Sequence[str] = ()) -> dict[str, str]:
    """The server's environment: the repository and ``extra_paths`` on its
    path, and no PODIUM_* variable, which would override the settings the
    harness chose (Podium lets the environment win over settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    paths = [str(REPO_ROOT), *extra_paths]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


@dataclass
class Server:
    """A running contender server."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    started_at: float
    ready_after: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def memory_kb(self) -> dict[str, int]:
        """VmRSS (resident now) and VmHWM (peak resident) of the server process."""
        values: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
        except OSError:
            pass
        return values

    def stop(self) -> None:
        """SIGTERM to the process group, then SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
                return
            except subprocess.TimeoutExpired:
                continue


def request(port: int, path: str, method: str = "GET", body: bytes | None = None,
            headers: Mapping[str, str] | None = None,
            timeout: float = 10.0) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP request to the loopback: (status, headers, body); no redirects."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def start(name: str, factory: str, db_url: str, workdir: Path, *, threads: int = 4,
          cpu: int | None = None, options: Mapping[str, str] | None = None,
          extra_paths: Sequence[str] = (), probe_path: str = "/",
          timeout: float = START_TIMEOUT, wrapper: Sequence[str] = ()) -> Server:
    """Start a server and wait until it has answered one request (any status).

    ``ready_after`` is the time from the spawn to that first answer: the
    start-up time the scaling runs report.  ``wrapper`` goes before the
    Python command (``valgrind ...`` for :mod:`bench.instructions`).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / f"{name}.port"
    port_file.unlink(missing_ok=True)
    log_path = workdir / f"{name}.log"
    command = [
        *taskset(cpu), *wrapper, sys.executable, "-m", "bench.serve", "--factory", factory,
        "--db-url", db_url, "--threads", str(threads), "--port-file", str(port_file),
    ]
    for key, value in (options or {}).items():
        command += ["--option", f"{key}={value}"]
    with open(log_path, "wb") as log:
        started_at = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=child_environment(extra_paths),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, 0, log_path, started_at)
    try:
        _wait_ready(server, port_file, probe_path, started_at + timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: Server, port_file: Path, probe_path: str, deadline: float) -> None:
    delay = 0.002
    while True:
        if server.process.poll() is not None:
            raise ServerError(f"{server.name} exited with {server.process.returncode}:\n"
                              f"{server.log_tail()}")
        if time.perf_counter() > deadline:
            raise ServerError(f"{server.name} did not answer in time:\n{server.log_tail()}")
        if not server.port and port_file.exists():
            server.port = int(port_file.read_text())
        if server.port:
            try:
                request(server.port, probe_path, timeout=5.0)
            except OSError:
                pass
            else:
                server.ready_after = time.perf_counter() - server.started_at
                return
        time.sleep(delay)
        delay = min(delay * 2, 0.01)  # 10 ms resolution for the start-up times


@contextmanager
def running(specs: Sequence[dict[str, object]]) -> Iterator[dict[str, Server]]:
    """Start several servers (keyword arguments of :func:`start` each);
    all of them are stopped when the block ends, however it ends."""
    with ExitStack() as stack:
        servers: dict[str, Server] = {}
        for spec in specs:
            server = start(**spec)  # type: ignore[arg-type]
            stack.callback(server.stop)
            servers[server.name] = server
        yield servers

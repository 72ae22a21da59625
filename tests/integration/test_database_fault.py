"""The database dies under load and comes back: 503s meanwhile, nothing lost.

A PostgreSQL of the test's own (initdb into a directory of the test, its own
port and socket directory) serves ``pserve production.ini`` with two workers
while CLIENTS clients create and read notes (``load_clients.py``).  Mid-load
the whole server is killed with SIGKILL (the postmaster and every backend
together: no shutdown, no message to any client, no checkpoint; crash
recovery at the next start), kept down DOWN_SECONDS, and started again on
the same data directory and port.

Asserted: every answer is the acknowledging status or a 503 with
Retry-After (no 500, no other status, no broken connection to the app); what
was sent while the database was down got 503s only; a request succeeds
within RECOVERY_LIMIT seconds of the database answering again, and from
then on nothing is refused; every acknowledged create is stored as
acknowledged.

The postmaster is this test's child process, started the way ``pg_ctl -w
start`` does it (its own session, then waiting until it accepts a
connection) rather than by pg_ctl: a postmaster killed by SIGKILL blocks
the restart with its ``postmaster.pid`` for as long as it is a zombie, and
pg_ctl's postmaster is an orphan that init reaps when it pleases (some
containers' init leaves zombies for seconds).  Run as root, PostgreSQL runs
as the ``postgres`` OS user (initdb refuses root), in a directory that user
can reach: pytest's temporary directories are root's own, so then a private
one under the system's temporary directory, removed afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from load_clients import (
    CREATE_READ_MIX,
    figures,
    log_excerpt,
    run_load,
    serve_production,
    stored_notes,
    summary,
    verify,
)

from podium.testing.servers import free_port

CLIENTS = 10
WARMUP_SECONDS = 3.0     # load before the kill
DOWN_SECONDS = 3.0       # from the kill to the restart
AFTER_SECONDS = 4.0      # load after the database answers again
RECOVERY_LIMIT = 2.0     # seconds from the database answering to the first success
WORKERS = 2

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (the postgres extra)")


def postgres_bindir() -> Path | None:
    """The directory of initdb and postgres: on PATH, pg_config's, or the newest
    of the usual package locations."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
        if bindir and (Path(bindir) / "initdb").exists():
            return Path(bindir)

    def version(path: str) -> tuple[int, ...]:
        digits = "".join(c if c.isdigit() else " " for c in path)
        return tuple(int(part) for part in digits.split())

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")
                        + glob.glob("/usr/pgsql-*/bin/initdb")
                        + glob.glob("/usr/local/pgsql/bin/initdb"), key=version)
    return Path(candidates[-1]).parent if candidates else None


def processes() -> Iterator[tuple[int, str, int]]:
    """``(pid, state, parent pid)`` of every process (Linux's /proc)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            yield int(stat.parent.name), fields[0], int(fields[1])


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has stopped)."""
    return {pid for pid, state, _ in processes() if pid in pids and state != "Z"}


class PrivatePostgres:
    """A PostgreSQL server of one test: its data directory, port and socket."""

    def __init__(self, bindir: Path, directory: Path, account: pwd.struct_passwd | None,
                 log: Path):
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.sockets = directory / "sockets"
        self.port = free_port()
        self.account = account
        self.process: subprocess.Popen[bytes] | None = None
        self.log = log  # opened by this process: it may be where the server cannot write

    def _as_owner(self) -> dict[str, Any]:
        """Popen options that run a command as the server's OS user."""
        options: dict[str, Any] = {"cwd": self.directory,
                                   "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                           "LC_ALL": "C", "TZ": "UTC"}}
        if self.account is not None:
            options.update(user=self.account.pw_uid, group=self.account.pw_gid,
                           extra_groups=[])
        return options

    def initdb(self) -> subprocess.CompletedProcess[str]:
        self.sockets.mkdir()
        if self.account is not None:
            for path in (self.directory, self.sockets):
                os.chown(path, self.account.pw_uid, self.account.pw_gid)
        return subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=60, **self._as_owner())

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/podium"

    def start(self) -> None:
        """Start the postmaster in a session of its own (it is that group's leader)."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                 "-k", str(self.sockets), "-c", "listen_addresses=127.0.0.1",
                 "-c", "max_connections=60", "-c", "shared_buffers=32MB"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, **self._as_owner())

    def connect(self, dbname: str = "postgres") -> Any:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                               dbname=dbname, connect_timeout=2, autocommit=True)

    def wait_until_answering(self, dbname: str = "postgres",
                             timeout: float = 15.0) -> tuple[float, float]:
        """Poll until a connection succeeds: the monotonic times at which the last
        refused attempt started (the server was still down then) and the first
        successful one ended (it answers)."""
        deadline = time.monotonic() + timeout
        refused = time.monotonic()
        while True:
            assert self.process is not None
            attempt = time.monotonic()
            try:
                self.connect(dbname).close()
                return refused, time.monotonic()
            except psycopg.OperationalError:
                refused = attempt
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"PostgreSQL did not start:\n{self.log_text()}") \
                        from None
                time.sleep(0.005)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend together, as a crash would
        (each backend is a session leader of its own, so the postmaster's
        group is not enough); the postmaster is stopped first so that it forks
        nothing meanwhile.  Returns once none of them runs."""
        assert self.process is not None
        postmaster = self.process.pid
        os.kill(postmaster, signal.SIGSTOP)
        victims = {pid for pid, _, parent in processes() if parent == postmaster}
        victims.add(postmaster)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while running(victims):
            assert time.monotonic() < deadline, "PostgreSQL processes outlived SIGKILL"
            time.sleep(0.005)

    def stop(self) -> None:
        """A fast shutdown (SIGINT), then SIGKILL if it takes too long."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)  # if a failed kill() left it stopped
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@contextlib.contextmanager
def server_directory(tmp_path: Path, account: pwd.struct_passwd | None) -> Iterator[Path]:
    """``tmp_path/pg`` if the server's OS user can work there, else a private
    directory under the system's temporary directory (pytest's are root's own
    when run as root), removed afterwards."""
    directory = tmp_path / "pg"
    directory.mkdir()
    if account is None:
        yield directory
        return
    os.chown(directory, account.pw_uid, account.pw_gid)
    try:
        reachable = subprocess.run(["test", "-w", str(directory), "-a", "-x", str(directory)],
                                   user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                                   cwd="/", timeout=10).returncode == 0
    except OSError as error:  # no CAP_SETUID in this container, say
        pytest.skip(f"cannot run commands as the postgres OS user: {error}")
    if reachable:
        yield directory
        return
    private = Path(tempfile.mkdtemp(prefix="podium-pg-"))
    try:
        os.chown(private, account.pw_uid, account.pw_gid)
        yield private
    finally:
        shutil.rmtree(private, ignore_errors=True)


@pytest.fixture
def private_postgres(tmp_path) -> Iterator[PrivatePostgres]:
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "postgres").exists():
        pytest.skip("PostgreSQL's initdb and postgres were not found (PATH, pg_config, "
                    "/usr/lib/postgresql/*/bin)")
    account = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, which initdb refuses, and there is no postgres "
                        "OS user to run PostgreSQL as")
    with server_directory(tmp_path, account) as directory:
        server = PrivatePostgres(bindir, directory, account, tmp_path / "postgres.log")
        done = server.initdb()
        if done.returncode:
            pytest.skip(f"initdb cannot run here: {done.stderr.strip() or done.stdout.strip()}")
        try:
            server.start()
            server.wait_until_answering()
            with server.connect() as conn:
                conn.execute("CREATE DATABASE podium")
            yield server
        finally:
            server.stop()


def test_database_killed_under_load_gives_503s_then_recovers(private_postgres, tmp_path,
                                                            record_property):
    began = time.monotonic()
    server = private_postgres
    stop = threading.Event()
    outcome: dict[str, Any] = {}
    with serve_production(server.url, tmp_path, workers=WORKERS) as (base, log):
        def load() -> None:
            try:
                outcome["result"] = run_load(base, clients=CLIENTS, seconds=60,
                                             mix=CREATE_READ_MIX, tolerate_503=True,
                                             stop=stop, seed=1, timeout=10)
            except BaseException as error:
                outcome["error"] = error

        driver = threading.Thread(target=load, name="load")
        driver.start()
        try:
            time.sleep(WARMUP_SECONDS)
            killed = time.monotonic()
            server.kill()
            down = time.monotonic()
            time.sleep(max(0.0, killed + DOWN_SECONDS - time.monotonic()))
            server.start()
            # The database answers again between these two moments; the test
            # takes the earlier one, which counts the probe's delay against
            # the app's recovery rather than for it.
            back, _answered = server.wait_until_answering("podium")
            time.sleep(AFTER_SECONDS)
        finally:
            stop.set()
            driver.join(timeout=60)
    assert not driver.is_alive(), "the clients did not stop"
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    report = verify(result, stored_notes(server.url))

    exchanges = result.exchanges
    during = [e for e in exchanges if e.start >= down and e.end <= back]
    successes_after = [e.end for e in exchanges if e.end >= back and e.status in (200, 201)]
    recovery = min(successes_after) - back if successes_after else None
    refused_late = [e for e in exchanges if e.start >= back + RECOVERY_LIMIT
                    and e.status not in (200, 201)]
    values = {"backend": "postgresql (private, SIGKILL)", "clients": CLIENTS,
              "workers": WORKERS, **figures(result, report),
              "outage_s": round(back - killed, 2), "kill_to_dead_s": round(down - killed, 3),
              "requests_during_outage": len(during),
              "recovery_s": None if recovery is None else round(recovery, 3),
              "wall_s": round(time.monotonic() - began, 1)}
    for key, value in values.items():
        record_property(key, value)
    print("\n" + summary("database fault", values))

    context = ("\n".join(result.failures[:20]) + "\n--- server log ---\n" + log_excerpt(log)
               + "\n--- postgres log ---\n" + server.log_text())
    # No 500, no other status, no broken connection, every 503 with Retry-After.
    assert not result.failures, f"{len(result.failures)} failure(s):\n{context}"
    assert all(e.status in (200, 201, 503) for e in exchanges), context
    # While the database was down, only 503s (and the outage was seen at all).
    assert during, "no request was sent while the database was down"
    assert all(e.status == 503 and e.retry_after for e in during), \
        [(e.op, e.status, round(e.start - down, 3), round(e.end - back, 3))
         for e in during if e.status != 503 or not e.retry_after][:20]
    # Back within RECOVERY_LIMIT seconds, and then nothing refused any more.
    assert recovery is not None and recovery <= RECOVERY_LIMIT, (recovery, context)
    assert not refused_late, [(e.method, e.path, e.status, round(e.start - back, 3))
                              for e in refused_late[:20]]
    # No acknowledged write lost, no row nobody was told about.
    assert not report.problems, (f"{len(report.problems)} write(s) not as acknowledged:\n"
                                 + "\n".join(report.problems[:20]))
    assert result.acknowledged["create"] >= CLIENTS, result.acknowledged
    # The outage is logged once per worker when it starts and once when it
    # ends, not once per refused request.
    text = log.read_text()
    assert 1 <= text.count("database unreachable, answering 503") <= 2 * WORKERS, \
        log_excerpt(log)
    assert "database reachable again" in text, log_excerpt(log)

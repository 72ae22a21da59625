"""The load driver of ``test_load.py`` and ``test_database_fault.py``.

Many HTTP clients, one thread and one keep-alive ``http.client`` connection
each, drive the notes JSON API of a real ``pserve production.ini``
(``egg:podium#workers``).  Every client writes only notes of its own, so it
knows at every moment what each of them must hold: a read must show the
note's last acknowledged write, and at the end the database must hold
exactly the acknowledged state of every note (an acknowledged delete gone,
a refused create absent, no row nobody asked for).  A write whose outcome the
client cannot know (the connection broke before the answer) widens what the
note may hold instead of guessing; such a break is a failure of the run
anyway.

Every exchange is kept with its start and end on the monotonic clock, so a
test can ask what was answered in a window of time (the fault test's outage).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from podium.testing.servers import free_port, running_pserve

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
API = "/notes/api/notes"

#: A note's content as the client last had it acknowledged; None: deleted.
Content = tuple[str, str] | None

#: The mix of operations of the load test, by weight.
CRUD_MIX: Mapping[str, int] = {"create": 25, "read": 25, "list": 10, "update": 15,
                               "patch": 8, "delete": 10, "read_deleted": 7}
#: Creates and reads only.
CREATE_READ_MIX: Mapping[str, int] = {"create": 45, "read": 40, "list": 15}

#: The status that acknowledges each operation.
EXPECTED = {"create": 201, "read": 200, "list": 200, "update": 200, "patch": 200,
            "delete": 204, "read_deleted": 404}


# -- serving production.ini ----------------------------------------------------------------


#: The clients write anonymously, as on a site whose operator opened the notes to
#: anonymous writers: these tests are about what survives load and faults, not who
#: may write (the plugin's defaults let only users write).
OPEN_TO_ANONYMOUS_WRITERS = ("podium.roles.everyone = notes.view notes.create notes.edit "
                             "notes.delete notes.edit_any\n")


def production_environ(database_url: str) -> dict[str, str]:
    """What production.ini reads from the environment (as test_workers.py sets it)."""
    return {**os.environ, "PODIUM_DATABASE_URL": database_url, "PODIUM_PLUGINS": "notes",
            "PODIUM_SECRET": secrets.token_urlsafe(48),
            "PODIUM_ALLOWED_HOSTS": "127.0.0.1 localhost"}


@contextlib.contextmanager
def serve_production(database_url: str, directory: Path, *, workers: int = 2,
                     environ: Mapping[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """``podium db upgrade production.ini``, then ``pserve`` of a copy of
    production.ini on a free loopback port with ``workers`` processes; yields
    ``(base URL, log path)`` and stops the whole process group afterwards."""
    environ = dict(environ or production_environ(database_url))
    subprocess.run([str(BIN / "podium"), "db", "upgrade", "production.ini"], cwd=ROOT,
                   env=environ, check=True, capture_output=True, timeout=120)
    port = free_port()
    source = (ROOT / "production.ini").read_text()
    for old in ("[app:main]\n", "listen = 0.0.0.0:6543", "workers = auto", "%(here)s/alembic"):
        assert old in source, f"production.ini no longer has {old!r}: update {__file__}"
    ini = directory / "production.ini"
    ini.write_text(source.replace("[app:main]\n", "[app:main]\n" + OPEN_TO_ANONYMOUS_WRITERS)
                   .replace("listen = 0.0.0.0:6543", f"listen = 127.0.0.1:{port}")
                   .replace("workers = auto", f"workers = {workers}")
                   .replace("%(here)s/alembic", str(ROOT / "alembic")))
    log = directory / "pserve.log"
    with running_pserve(ini, port, env=environ, log_path=log, cwd=directory) as base:
        yield base, log


def log_excerpt(log: Path, limit: int = 6000) -> str:
    """The server log's first traceback (or its end), for an assertion message."""
    content = log.read_text(errors="replace") if log.exists() else ""
    start = content.find("Traceback")
    if start < 0:
        return content[-limit:]
    return content[max(0, content.rfind("\n", 0, max(0, start - 400))):][:limit]


# -- the clients ---------------------------------------------------------------------------


@dataclass
class Exchange:
    """One request and what came back (``status`` 0: no HTTP answer at all)."""

    op: str
    method: str
    path: str
    start: float
    end: float
    status: int
    retry_after: str | None = None
    error: str | None = None

    @property
    def latency(self) -> float:
        return self.end - self.start


@dataclass
class Note:
    id: int
    token: str
    #: What the stored row may hold: one content, unless a write's outcome is unknown.
    acceptable: set[Content]

    def known(self) -> tuple[str, str] | None:
        """Its content, if the client knows it and the note is not deleted."""
        if len(self.acceptable) == 1:
            return next(iter(self.acceptable))
        return None


@dataclass
class LoadResult:
    exchanges: list[Exchange] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)  # by token: ids are the server's
    refused: set[str] = field(default_factory=set)    # tokens of creates answered 503
    unknown: set[str] = field(default_factory=set)    # tokens of creates of unknown outcome
    failures: list[str] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)  # op -> acknowledged writes
    wall: float = 0.0

    def merge(self, other: LoadResult) -> None:
        self.exchanges += other.exchanges
        self.notes.update(other.notes)
        self.refused |= other.refused
        self.unknown |= other.unknown
        self.failures += other.failures
        self.acknowledged += other.acknowledged


class Client:
    """One keep-alive connection; ``http.client`` reopens it by itself after
    the server answered ``Connection: close`` (waitress does after every 204)."""

    def __init__(self, base: str, timeout: float):
        host, _, port = base.removeprefix("http://").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=timeout)

    def send(self, op: str, method: str, path: str,
             payload: dict[str, Any] | None = None) -> tuple[Exchange, Any]:
        """The exchange, and the JSON body of the answer (None if it had none)."""
        headers = {"Accept": "application/json"}
        body = None
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            # Exactly application/json, a bodiless DELETE included: what exempts
            # a JSON API view from the CSRF token.
            headers["Content-Type"] = "application/json"
        if payload is not None:
            body = json.dumps(payload).encode()
        start = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return Exchange(op, method, path, start, time.monotonic(), 0,
                            error=f"{type(error).__name__}: {error}"), None
        end = time.monotonic()
        exchange = Exchange(op, method, path, start, end, response.status,
                            retry_after=response.getheader("Retry-After"))
        try:
            decoded = json.loads(data) if data else None
        except ValueError:
            decoded = data[:300]
        return exchange, decoded

    def close(self) -> None:
        self.connection.close()


def _text(rng: random.Random, token: str, version: int) -> str:
    extra = rng.choice(["", "second line\nthird line", "déjà vu ✓ 😀", "x" * rng.randint(1, 400)])
    return f"{token} version {version} {extra}"


def _content(answer: Any) -> Content:
    if isinstance(answer, dict) and isinstance(answer.get("title"), str) \
            and isinstance(answer.get("body"), str):
        return answer["title"], answer["body"]
    return None


def client_loop(number: int, base: str, *, until: float, stop: threading.Event,
                mix: Mapping[str, int], tolerate_503: bool, seed: int,
                pause_after_503: float = 0.02, timeout: float = 30.0) -> LoadResult:
    """One client: operations drawn from ``mix`` until ``until`` (monotonic) or ``stop``."""
    rng = random.Random(f"{seed}-{number}")
    client = Client(base, timeout)
    result = LoadResult()
    deleted: list[Note] = []
    ops, weights = list(mix), list(mix.values())
    sequence = 0

    def fail(exchange: Exchange, why: str) -> None:
        result.failures.append(f"client {number}: {exchange.method} {exchange.path} "
                               f"({exchange.op}): {why}")

    try:
        while time.monotonic() < until and not stop.is_set():
            op = rng.choices(ops, weights)[0]
            live = [note for note in result.notes.values() if note.known()]
            if op in ("read", "update", "patch", "delete") and not live:
                op = "create"
            if op == "read_deleted" and not deleted:
                op = "read"
                if not live:
                    op = "create"
            note = rng.choice(live) if op in ("read", "update", "patch", "delete") else None
            version = rng.randint(1, 10**6)
            sent: Content = None  # what the write asks the note to become
            if op == "create":
                sequence += 1
                token = f"c{number:02d}-{sequence:05d}"
                title, body = f"{token} v0", _text(rng, token, 0)
                sent = (title, body)
                exchange, answer = client.send(op, "POST", API, {"title": title, "body": body})
            elif op == "read":
                assert note is not None
                exchange, answer = client.send(op, "GET", f"{API}/{note.id}")
            elif op == "list":
                exchange, answer = client.send(op, "GET", f"{API}?per_page=10")
            elif op == "read_deleted":
                gone = rng.choice(deleted)
                exchange, answer = client.send(op, "GET", f"{API}/{gone.id}")
            elif op in ("update", "patch"):
                assert note is not None
                old = note.known()
                assert old is not None
                body = _text(rng, note.token, version)
                if op == "update":
                    title = f"{note.token} v{version}"
                    exchange, answer = client.send(op, "PUT", f"{API}/{note.id}",
                                                   {"title": title, "body": body})
                else:
                    title = old[0]
                    exchange, answer = client.send(op, "PATCH", f"{API}/{note.id}",
                                                   {"body": body})
                sent = (title, body)
            else:  # delete
                assert note is not None
                exchange, answer = client.send(op, "DELETE", f"{API}/{note.id}")
            result.exchanges.append(exchange)

            status = exchange.status
            if status == 503 and not exchange.retry_after:
                fail(exchange, "503 without Retry-After")
            elif status == 0:
                fail(exchange, f"no answer: {exchange.error}")
            elif status == 503 and not tolerate_503:
                fail(exchange, f"503: {answer!r}"[:400])
            elif status not in (EXPECTED[op], 503):
                fail(exchange, f"status {status}, expected {EXPECTED[op]}: {answer!r}"[:400])

            acknowledged = status == EXPECTED[op]
            refused = status == 503  # "nothing was saved"
            if op == "create":
                if acknowledged:
                    if _content(answer) != sent or not isinstance(answer.get("id"), int):
                        fail(exchange, f"answered {answer!r}, sent {sent!r}")
                        result.unknown.add(token)
                    else:
                        result.notes[token] = Note(answer["id"], token, {sent})
                        result.acknowledged["create"] += 1
                elif refused:
                    result.refused.add(token)
                else:
                    result.unknown.add(token)
            elif op == "read" and acknowledged:
                assert note is not None
                if _content(answer) != note.known():
                    fail(exchange, f"read {_content(answer)!r}, last acknowledged "
                                   f"{note.known()!r}")
            elif op == "list" and acknowledged:
                if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
                    fail(exchange, f"not a page of notes: {answer!r}"[:400])
            elif op in ("update", "patch", "delete"):
                assert note is not None
                if acknowledged:
                    if op != "delete" and _content(answer) != sent:
                        fail(exchange, f"answered {_content(answer)!r}, sent {sent!r}")
                    note.acceptable = {sent}
                    result.acknowledged[op] += 1
                    if op == "delete":
                        deleted.append(note)
                elif not refused:
                    note.acceptable.add(sent)  # maybe written, maybe not
            if status == 503 and pause_after_503:
                time.sleep(pause_after_503)  # do not spin on a refusing server
    finally:
        client.close()
    return result


def run_load(base: str, *, clients: int, seconds: float, mix: Mapping[str, int] = CRUD_MIX,
             tolerate_503: bool = False, stop: threading.Event | None = None,
             seed: int = 0, timeout: float = 30.0) -> LoadResult:
    """``clients`` threads for ``seconds`` (or until ``stop`` is set), merged."""
    stop = stop or threading.Event()
    until = time.monotonic() + seconds
    results: list[LoadResult | BaseException] = [RuntimeError("never ran")] * clients

    def run(number: int) -> None:
        try:
            results[number] = client_loop(number, base, until=until, stop=stop, mix=mix,
                                          tolerate_503=tolerate_503, seed=seed,
                                          timeout=timeout)
        except BaseException as error:  # reported below, not lost in a thread
            results[number] = error

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,), name=f"load-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = LoadResult(wall=time.monotonic() - started)
    for number, outcome in enumerate(results):
        if isinstance(outcome, BaseException):
            merged.failures.append(f"client {number} crashed: {outcome!r}")
        else:
            merged.merge(outcome)
    merged.exchanges.sort(key=lambda exchange: exchange.start)
    return merged


# -- what the database holds ---------------------------------------------------------------


def stored_notes(database_url: str) -> dict[int, tuple[str, str]]:
    """Every row of ``notes_note``, read on a connection of its own."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, title, body FROM notes_note")).all()
    finally:
        engine.dispose()
    return {row.id: (row.title, row.body) for row in rows}


@dataclass
class Verification:
    checked: int = 0               # notes whose stored state was compared
    problems: list[str] = field(default_factory=list)
    refused_but_stored: list[str] = field(default_factory=list)


def verify(result: LoadResult, stored: Mapping[int, tuple[str, str]]) -> Verification:
    """Compare the database with what the clients were told."""
    report = Verification()
    known = {note.id for note in result.notes.values()}
    for note in result.notes.values():
        actual = stored.get(note.id)
        report.checked += 1
        if actual not in note.acceptable:
            report.problems.append(f"note {note.id} ({note.token}): stored {actual!r}, "
                                   f"acknowledged {sorted(note.acceptable, key=repr)!r}")
    for note_id, (title, _body) in stored.items():
        if note_id in known:
            continue
        token = title.split()[0]
        if token in result.refused:
            report.refused_but_stored.append(f"note {note_id} ({token})")
        elif token not in result.unknown:
            report.problems.append(f"note {note_id} {title!r}: stored, never acknowledged")
    return report


# -- figures -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def figures(result: LoadResult, report: Verification) -> dict[str, Any]:
    latencies = [exchange.latency for exchange in result.exchanges]
    statuses = Counter(exchange.status for exchange in result.exchanges)
    return {
        "requests": len(result.exchanges),
        "requests_per_second": round(len(result.exchanges) / result.wall, 1)
        if result.wall else 0.0,
        "statuses": {("no answer" if status == 0 else str(status)): count
                     for status, count in sorted(statuses.items())},
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "acknowledged_writes": sum(result.acknowledged.values()),
        "acknowledged": dict(sorted(result.acknowledged.items())),
        "notes_checked": report.checked,
        "refused_creates_checked": len(result.refused),
        "refused_but_stored": len(report.refused_but_stored),
    }


def summary(name: str, values: Mapping[str, Any]) -> str:
    return f"{name}: " + " ".join(
        f"{key}={json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
        for key, value in values.items())

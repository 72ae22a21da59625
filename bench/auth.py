"""``python -m bench.auth``: what authentication costs a request (issue 16).

Issue 16's targets: a logged-in page request costs at most 1.15x the same
page anonymous, a bearer-token JSON request at most 1.15x the same request
unauthenticated, and a login what argon2's parameters make it cost.

Each run makes one site: a fresh seeded SQLite file migrated with the
``bench`` and ``notes`` plugins (``podium db upgrade``), a user and an API
token made on it with ``podium users add`` and ``podium tokens create``.
Podium is production.ini's app (``bench/peers/podium_app.py``) with both
plugins.  After each server start the harness posts the notes the pages show
(once per site, through the notes API with the token), logs in once as a
browser does (GET /login for the CSRF token and the session cookie, POST
/login), and checks that the cookie and the token identify the user (the
login page says "You are logged in as ...") and that every request answers
as it should before measuring anything.

Pairs: the same request anonymous and authenticated, measured one after the
other on the same server process (the order alternates between runs):

=====  ==================  ===========================================
pair   request             authenticated by
=====  ==================  ===========================================
page   GET /notes/         the session cookie of the login (a browser)
json   GET /bench/json     ``Authorization: Bearer <token>``, no cookie
api    GET /notes/api/notes  ``Authorization: Bearer <token>``, no cookie
=====  ==================  ===========================================

The cost ratio is authenticated over anonymous: 1.15x means the
authenticated request costs 15% more.  ``instructions`` counts it under
callgrind (instructions of the whole server process per request, as
``bench.instructions`` does), ``wrk`` as anonymous req/s over authenticated
req/s (the server on one CPU, wrk on the other), ``inprocess`` as the
median time of the WSGI app called directly.  ``login`` times, in process,
the argon2 verify alone, ``authenticate()`` (the user looked up, the verify,
the login time set), the whole POST /login through the app and a GET /login
beside it: a login should cost the verify plus a normal request.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from . import REPO_ROOT, wrk
from .data import database
from .distinfo import bench_plugin_paths
from .peers import CONTENDERS, podium_app
from .report import machine
from .runner import log, names, warn_if_busy
from .scenarios import TFB_HEADERS
from .server import Server, ServerError, child_environment, request, start

DEFAULT_JSON = REPO_ROOT / "bench" / "results" / "auth.json"
PLUGINS = "bench notes"
LOGIN = "bench-reader"
DISPLAY_NAME = "Bench Reader"
#: Notes the list page and the API show (the notes plugin's page size is 20).
NOTES = 20
NOTE_TITLE = "Bench note"
LOGGED_IN = "You are logged in as " + DISPLAY_NAME
MODES = ("instructions", "wrk", "inprocess", "login")
#: A program's request: no browser cookies, JSON accepted.
JSON_HEADERS = {"User-Agent": "podium-bench/1", "Accept": "application/json"}
SESSION = "session"
BEARER = "bearer"
SESSION_COOKIE = "podium_session"

_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@dataclass(frozen=True)
class Pair:
    name: str
    path: str
    #: How the authenticated request is identified: ``session`` or ``bearer``.
    credential: str
    headers: Mapping[str, str]

    def check(self, status: int, body: bytes) -> str | None:
        """Why a response is not what this pair measures, or None."""
        if status != 200:
            return f"status {status}: {body[:200]!r}"
        if self.name == "page":
            return None if NOTE_TITLE.encode() in body else "no note on the page"
        data = json.loads(body)
        if self.name == "json":
            return None if data == {"message": "Hello, World!"} else f"body {data!r:.80}"
        return None if data.get("total") == NOTES else f"total {data.get('total')!r}"


PAIRS: dict[str, Pair] = {p.name: p for p in (
    Pair("page", "/notes/", SESSION, TFB_HEADERS),
    Pair("json", "/bench/json", BEARER, JSON_HEADERS),
    Pair("api", "/notes/api/notes", BEARER, JSON_HEADERS),
)}


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    token: str


@dataclass(frozen=True)
class Site:
    url: str
    extra_paths: list[str]
    account: Account
    #: ``module:function`` building the app (``--factory``) and what it is
    #: given besides the database URL (``--option``).
    factory: str = CONTENDERS["podium"].factory
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """One pair in one run of one mode: the anonymous and the authenticated
    request's figure (``unit``), and the cost ratio authenticated/anonymous."""

    mode: str
    run: int
    pair: str
    unit: str
    anonymous: float
    authenticated: float
    cost: float
    extra: dict[str, Any] = field(default_factory=dict)


def shape(headers: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"method": "GET", "body": None, "headers": {**headers, **(extra or {})}}


def shapes(pair: Pair, account: Account, cookie: str) -> dict[str, dict[str, Any]]:
    """``anonymous`` and ``authenticated``: the method, body and headers of each."""
    if pair.credential == SESSION:
        joined = "; ".join(c for c in (pair.headers.get("Cookie"), cookie) if c)
        auth = shape(pair.headers, {"Cookie": joined})
    else:
        auth = shape(pair.headers, {"Authorization": f"Bearer {account.token}"})
    return {"anonymous": shape(pair.headers), "authenticated": auth}


# the site --------------------------------------------------------------------


def podium_command(args: Sequence[str], extra_paths: Sequence[str],
                   stdin: str | None = None) -> str:
    """``podium ARGS`` in a subprocess with the servers' environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", "from podium.cli import main; main()", *args],
        cwd=REPO_ROOT, env=child_environment(extra_paths), input=stdin, capture_output=True,
        text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"podium {' '.join(args[:2])} failed ({done.returncode}):\n"
                           f"{(done.stdout + done.stderr)[-2000:]}")
    return done.stdout


def create_account(ini: Path, extra_paths: Sequence[str]) -> Account:
    """The user (argon2 hash with the default parameters) and its API token,
    made by the commands an operator runs."""
    import secrets

    password = "bench reader " + secrets.token_urlsafe(18)
    podium_command(["users", "add", str(ini), LOGIN, "--name", DISPLAY_NAME,
                    "--password-stdin"], extra_paths, stdin=password + "\n")
    token = podium_command(["tokens", "create", str(ini), "--user", LOGIN, "--label", "bench"],
                           extra_paths).strip()
    if not token.startswith("pdm_"):
        raise RuntimeError(f"podium tokens create printed {token[:40]!r}, not a token")
    return Account(LOGIN, password, token)


@contextmanager
def site(workdir: Path, factory: str | None = None,
         options: Mapping[str, str] | None = None) -> Iterator[Site]:
    """A fresh site for one run: seeded, migrated, with the account."""
    with database("sqlite", workdir) as url:
        extra = bench_plugin_paths(workdir / "site")
        podium_app.prepare_database(url, workdir, extra, plugins=PLUGINS)
        account = create_account(workdir / "podium-migrate.ini", extra)
        yield Site(url, extra, account, factory or CONTENDERS["podium"].factory,
                   {"plugins": PLUGINS, **(options or {})})


Send = Callable[[str, str, "bytes | None", Mapping[str, str]], tuple[int, Any, bytes]]


def seed_notes(send: Send, account: Account) -> None:
    """Post the notes through the API with the token, unless they are there.
    ``send(path, method, body, headers)`` is one request (to a server or to
    the app in process)."""
    bearer = {**JSON_HEADERS, "Authorization": f"Bearer {account.token}"}
    status, _, body = send("/notes/api/notes", "GET", None, bearer)
    if status == 200 and json.loads(body).get("total") == NOTES:
        return
    for number in range(1, NOTES + 1):
        note = {"title": f"{NOTE_TITLE} {number}",
                "body": f"The body of the benchmark's note number {number}. " * 4}
        status, _, body = send("/notes/api/notes", "POST", json.dumps(note).encode(),
                               {**bearer, "Content-Type": "application/json"})
        if status != 201:
            raise ServerError(f"POST /notes/api/notes answered {status}: {body[:300]!r}")


def to_server(port: int) -> Send:
    def send(path: str, method: str, body: bytes | None,
             headers: Mapping[str, str]) -> tuple[int, Any, bytes]:
        return request(port, path, method, body, headers, timeout=120)
    return send


def _set_cookies(headers: Any) -> list[str]:
    """``name=value`` of each Set-Cookie (http.client's or WebOb's headers)."""
    found = headers.get_all("Set-Cookie") if hasattr(headers, "get_all") else \
        headers.getall("Set-Cookie")
    return [c.split(";", 1)[0] for c in found or []]


def _session_cookie(headers: Any) -> str | None:
    found = [c for c in _set_cookies(headers) if c.startswith(SESSION_COOKIE + "=")]
    return found[-1] if found else None


def log_in(send: Send, account: Account) -> str:
    """Log in as a browser does; the session cookie (``name=value``) to send.

    GET /login for the CSRF token and the cookie, POST /login, then follow
    the redirect and keep whatever session cookie the pages set: the first
    page after a login stores a new CSRF token in the new session (the
    layout's logout form), and a browser sends that cookie from then on.  A
    client that kept the login's cookie would have every page make and sign
    a new session again."""
    status, headers, body = send("/login", "GET", None, TFB_HEADERS)
    match = _CSRF.search(body.decode("utf-8", "replace"))
    if status != 200 or match is None:
        raise ServerError(f"GET /login answered {status} without a CSRF token")
    cookie = "; ".join([TFB_HEADERS["Cookie"], *_set_cookies(headers)])
    form = urlencode({"login": account.login, "password": account.password,
                      "csrf_token": match.group(1)})
    status, headers, body = send(
        "/login", "POST", form.encode(),
        {**TFB_HEADERS, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    session = _session_cookie(headers)
    if status not in (302, 303) or session is None:
        raise ServerError(f"POST /login answered {status} without a session cookie: "
                          f"{body[:300]!r}")
    target = urlsplit(headers.get("Location") or "/").path or "/"
    for _ in range(3):
        status, headers, body = send(target, "GET", None, {
            **TFB_HEADERS, "Cookie": f"{TFB_HEADERS['Cookie']}; {session}"})
        renewed = _session_cookie(headers)
        if renewed is None:
            return session
        session = renewed
    raise ServerError(f"GET {target} after the login sets a new session cookie every time")


def check(port: int, account: Account, cookie: str, pairs: Sequence[Pair]) -> None:
    """Refuse to measure unless the cookie and the token identify the user,
    nothing else does, and every request of every pair answers right without
    setting a new session cookie (a browser would keep it: measuring a
    session made again on every request would measure the harness)."""
    who = {
        "nobody": shape(TFB_HEADERS),
        "the session cookie": shape(TFB_HEADERS, {
            "Cookie": f"{TFB_HEADERS['Cookie']}; {cookie}"}),
        "the bearer token": shape(TFB_HEADERS, {"Authorization": f"Bearer {account.token}"}),
    }
    for name, sent in who.items():
        status, _, body = request(port, "/login", headers=sent["headers"], timeout=120)
        identified = LOGGED_IN.encode() in body
        if status != 200 or identified != (name != "nobody"):
            raise ServerError(f"GET /login with {name}: status {status}, "
                              f"{'identified' if identified else 'not identified'}")
    for pair in pairs:
        for variant, sent in shapes(pair, account, cookie).items():
            status, headers, body = request(port, pair.path, headers=sent["headers"],
                                            timeout=120)
            problem = pair.check(status, body)
            if problem is None and _session_cookie(headers):
                problem = "it sets a new session cookie"
            if problem:
                raise ServerError(f"{pair.name} {variant} ({pair.path}): {problem}")


def start_podium(site_: Site, workdir: Path, name: str, **kwargs: Any) -> tuple[Server, str]:
    """Podium with both plugins, the notes posted, logged in and checked:
    the server and the session cookie."""
    server = start(name, site_.factory, site_.url, workdir,
                   options=site_.options, extra_paths=site_.extra_paths,
                   probe_path="/bench/json", **kwargs)
    try:
        seed_notes(to_server(server.port), site_.account)
        cookie = log_in(to_server(server.port), site_.account)
        check(server.port, site_.account, cookie, list(PAIRS.values()))
    except BaseException:
        server.stop()
        raise
    return server, cookie


def ordered(run: int) -> tuple[str, str]:
    """Anonymous first in even runs, authenticated first in odd ones."""
    return ("anonymous", "authenticated") if run % 2 == 0 else ("authenticated", "anonymous")


# modes ----------------------------------------------------------------------


def run_instructions(site_: Site, workdir: Path, run: int, pairs: Sequence[Pair],
                     requests: int, warmup: int, threads: int, hash_seed: int) -> list[Result]:
    from .instructions import START_TIMEOUT, count_requests, require_callgrind, wrapper

    require_callgrind()
    out_file = workdir / f"auth-{run}.callgrind"
    log(f"run {run + 1}: podium under callgrind (slow: a minute or two)")
    server, cookie = start_podium(site_, workdir, f"podium-callgrind-{run}", threads=threads,
                                  timeout=START_TIMEOUT, wrapper=wrapper(out_file, hash_seed))
    results = []
    dumps = 0
    try:
        for pair in pairs:
            sent = shapes(pair, site_.account, cookie)
            counts: dict[str, float] = {}
            for variant in ordered(run):
                dumps += 1
                counts[variant] = count_requests(
                    server, out_file, dumps, f"{pair.name}-{variant}", sent[variant],
                    pair.path, 200, requests, warmup) / requests
            result = Result("instructions", run, pair.name, "instructions/request",
                            counts["anonymous"], counts["authenticated"],
                            counts["authenticated"] / counts["anonymous"])
            log(f"  {pair.name:<5} anonymous {result.anonymous:12,.0f}  authenticated "
                f"{result.authenticated:12,.0f}  cost {result.cost:.3f}x")
            results.append(result)
    finally:
        server.stop()
    return results


def run_wrk(site_: Site, workdir: Path, run: int, pairs: Sequence[Pair], duration: float,
            warmup: float, threads: int, connections: int,
            cpus: tuple[int | None, int | None]) -> list[Result]:
    server_cpu, wrk_cpu = cpus
    server, cookie = start_podium(site_, workdir, f"podium-wrk-{run}", threads=threads,
                                  cpu=server_cpu)
    results = []
    try:
        for pair in pairs:
            sent = shapes(pair, site_.account, cookie)
            figures: dict[str, wrk.WrkResult] = {}
            for variant in ordered(run):
                script = workdir / f"{pair.name}-{variant}.lua"
                script.write_text(wrk.lua_script(**{k: sent[variant][k]
                                                    for k in ("method", "body", "headers")}))
                kw = {"connections": connections, "threads": 1, "cpu": wrk_cpu}
                wrk.run(server.url(pair.path), script, warmup, **kw)
                figures[variant] = wrk.run(server.url(pair.path), script, duration, **kw)
                if figures[variant].bad:
                    raise wrk.WrkError(f"{pair.name} {variant}: {figures[variant].bad} "
                                       "unexpected answers")
            anon, auth = figures["anonymous"], figures["authenticated"]
            result = Result("wrk", run, pair.name, "req/s", anon.rps, auth.rps,
                            anon.rps / auth.rps,
                            {"p99_ms": {"anonymous": anon.p99_ms, "authenticated": auth.p99_ms}})
            log(f"  {pair.name:<5} anonymous {anon.rps:9.1f} req/s  authenticated "
                f"{auth.rps:9.1f} req/s  cost {result.cost:.3f}x")
            results.append(result)
    finally:
        server.stop()
    return results


@contextmanager
def in_process_app(site_: Site) -> Iterator[Any]:
    """Podium as the servers build it, in this process (PODIUM_* hidden)."""
    from .serve import factory_of

    saved = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("PODIUM_")]}
    sys.path[:0] = site_.extra_paths
    try:
        yield factory_of(site_.factory)(site_.url, **site_.options)
    finally:
        os.environ.update(saved)


def call(app: Any, path: str, sent: Mapping[str, Any]) -> tuple[int, Any, bytes]:
    """One request through the WSGI app; (status, headers, body)."""
    from webob import Request

    req = Request.blank(path, base_url="http://127.0.0.1", method=sent["method"],
                        headers=sent["headers"], environ={"REMOTE_ADDR": "127.0.0.1"})
    body = sent.get("body")
    if body is not None:
        req.body = body if isinstance(body, bytes) else body.encode()
    response = req.get_response(app)
    return response.status_int, response.headers, response.body


def in_process(app: Any) -> Send:
    def send(path: str, method: str, body: bytes | None,
             headers: Mapping[str, str]) -> tuple[int, Any, bytes]:
        return call(app, path, {"method": method, "body": body, "headers": headers})
    return send


def _in_process_login(app: Any, account: Account) -> tuple[str, str]:
    """GET /login as a browser: its cookies (to send back) and CSRF token."""
    status, headers, body = call(app, "/login", shape(TFB_HEADERS))
    match = _CSRF.search(body.decode())
    if status != 200 or match is None:
        raise ServerError(f"in process, GET /login answered {status} without a token")
    cookies = "; ".join([TFB_HEADERS["Cookie"],
                         *(c.split(";", 1)[0] for c in headers.getall("Set-Cookie"))])
    return cookies, match.group(1)


def _post_login(app: Any, account: Account, cookies: str, token: str) -> tuple[int, Any, bytes]:
    form = urlencode({"login": account.login, "password": account.password,
                      "csrf_token": token})
    return call(app, "/login", {"method": "POST", "body": form, "headers": {
        **TFB_HEADERS, "Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}})


def in_process_cookie(app: Any, account: Account) -> str:
    return log_in(in_process(app), account)


def _median_time(fn: Callable[[], Any], calls: int) -> float:
    """Median seconds per call over 5 batches of ``calls``."""
    batches = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(calls):
            fn()
        batches.append((time.perf_counter() - began) / calls)
    return statistics.median(batches)


def run_inprocess(site_: Site, run: int, pairs: Sequence[Pair], calls: int,
                  profile: str | None) -> list[Result]:
    results = []
    with in_process_app(site_) as app:
        seed_notes(in_process(app), site_.account)
        cookie = in_process_cookie(app, site_.account)
        for pair in pairs:
            sent = shapes(pair, site_.account, cookie)
            times: dict[str, float] = {}
            for variant in ordered(run):
                def once(s: Mapping[str, Any] = sent[variant], p: Pair = pair) -> None:
                    status, headers, body = call(app, p.path, s)
                    problem = p.check(status, body) or (
                        "it sets a new session cookie" if _session_cookie(headers) else None)
                    if problem:
                        raise ServerError(f"{p.name} in process: {problem}")
                for _ in range(50):
                    once()
                times[variant] = _median_time(once, calls)
            result = Result("inprocess", run, pair.name, "us/request",
                            times["anonymous"] * 1e6, times["authenticated"] * 1e6,
                            times["authenticated"] / times["anonymous"])
            log(f"  {pair.name:<5} anonymous {result.anonymous:8.1f} us  authenticated "
                f"{result.authenticated:8.1f} us  cost {result.cost:.3f}x")
            results.append(result)
            if profile and profile in (pair.name, "all") and run == 0:
                for variant in ("anonymous", "authenticated"):
                    profiler = cProfile.Profile()
                    profiler.enable()
                    for _ in range(calls * 5):
                        call(app, pair.path, sent[variant])
                    profiler.disable()
                    print(f"\ncProfile, {pair.name} {variant}, {calls * 5} requests "
                          "(cumulative, top 40):")
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return results


@contextmanager
def argon2_timer() -> Iterator[list[float]]:
    """The seconds of each argon2 call (verify, hash) made inside the block,
    timed around argon2-cffi's ``PasswordHasher`` methods, which run as
    before: what a login spends outside argon2 is its time minus these."""
    from argon2 import PasswordHasher

    spent: list[float] = []
    originals = {name: getattr(PasswordHasher, name) for name in ("verify", "hash")}

    def timed(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - began)
        return wrapper

    for name, original in originals.items():
        setattr(PasswordHasher, name, timed(original))
    try:
        yield spent
    finally:
        for name, original in originals.items():
            setattr(PasswordHasher, name, original)


def run_login(site_: Site, rounds: int) -> dict[str, Any]:
    """Seconds of: argon2's verify alone, ``authenticate()``, the whole POST
    /login through the app (and, of it, the argon2 calls and the rest) and a
    GET /login; ``rounds`` of each, interleaved."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from podium.accounts.models import User
    from podium.accounts.passwords import Passwords
    from podium.accounts.service import authenticate

    with in_process_app(site_) as app:
        settings = app.registry.settings
        passwords = Passwords.from_settings(settings)
        engine = app.registry["podium.engine"]
        account = site_.account
        seed_notes(in_process(app), account)
        with Session(engine) as session:
            stored = session.scalar(select(User.password_hash).where(User.login == LOGIN))
        assert stored is not None
        samples: dict[str, list[float]] = {
            "argon2 verify": [], "authenticate()": [], "POST /login": [], "  argon2 in it": [],
            "  the rest": [], "GET /login": []}
        in_process_cookie(app, account)  # warm: templates, the first login
        for _ in range(rounds):
            began = time.perf_counter()
            matched, _ = passwords.verify(stored, account.password)
            samples["argon2 verify"].append(time.perf_counter() - began)
            assert matched
            with Session(engine) as session:
                began = time.perf_counter()
                user = authenticate(session, passwords, LOGIN, account.password)
                samples["authenticate()"].append(time.perf_counter() - began)
                assert user is not None
                session.rollback()
            began = time.perf_counter()
            cookies, token = _in_process_login(app, account)
            samples["GET /login"].append(time.perf_counter() - began)
            with argon2_timer() as inside:
                began = time.perf_counter()
                status, _, _ = _post_login(app, account, cookies, token)
                whole = time.perf_counter() - began
            samples["POST /login"].append(whole)
            samples["  argon2 in it"].append(sum(inside))
            samples["  the rest"].append(whole - sum(inside))
            if status not in (302, 303) or len(inside) != 1:
                raise ServerError(f"in process, POST /login answered {status} after "
                                  f"{len(inside)} argon2 calls")
    summary = {name: {"median_ms": statistics.median(v) * 1e3, "min_ms": min(v) * 1e3,
                      "max_ms": max(v) * 1e3} for name, v in samples.items()}
    return {"rounds": rounds, "argon2": {"time_cost": passwords.time_cost,
                                         "memory_cost_kib": passwords.memory_cost,
                                         "parallelism": passwords.parallelism},
            "samples_ms": {k: [round(x * 1e3, 3) for x in v] for k, v in samples.items()},
            "summary": summary}


# report ---------------------------------------------------------------------


def table(results: Sequence[Result]) -> str:
    lines = []
    for mode in dict.fromkeys(r.mode for r in results):
        rows = [r for r in results if r.mode == mode]
        unit = rows[0].unit
        lines += [f"{mode} ({unit}; cost = authenticated / anonymous"
                  + (", from req/s: anonymous / authenticated)" if mode == "wrk" else ")"),
                  f"{'pair':<6} {'runs: cost':<26} {'median':>7} {'range':>15}  "
                  f"{'anonymous':>12} {'authenticated':>14}", "-" * 88]
        for pair in dict.fromkeys(r.pair for r in rows):
            mine = [r for r in rows if r.pair == pair]
            costs = [r.cost for r in mine]
            lines.append(
                f"{pair:<6} {' '.join(f'{c:.3f}x' for c in costs):<26} "
                f"{statistics.median(costs):6.3f}x {min(costs):6.3f}-{max(costs):.3f}x  "
                f"{statistics.median(r.anonymous for r in mine):12,.1f} "
                f"{statistics.median(r.authenticated for r in mine):14,.1f}")
        lines.append("")
    return "\n".join(lines)


def login_table(found: Mapping[str, Any]) -> str:
    a = found["argon2"]
    lines = [f"login, in process ({found['rounds']} rounds; argon2id time_cost "
             f"{a['time_cost']}, memory_cost {a['memory_cost_kib']} KiB, parallelism "
             f"{a['parallelism']})", f"{'what':<16} {'median ms':>10} {'min-max ms':>20}",
             "-" * 48]
    for name, s in found["summary"].items():
        lines.append(f"{name:<16} {s['median_ms']:10.1f} "
                     f"{s['min_ms']:9.1f}-{s['max_ms']:<9.1f}")
    return "\n".join(lines)


def code_state() -> dict[str, Any]:
    """The commit measured and the files changed beside it (others edit the
    working tree while benchmarks run: the figures are of what was there)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=30, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"),
            "trees": {d: git("rev-parse", f"HEAD:{d}") for d in ("platform", "plugins")},
            "changed": git("status", "--porcelain", "--", "platform", "plugins").splitlines()}


def same_code(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The platform and the plugins are the same (a commit of docs or of
    bench/ alone changes nothing measured)."""
    return a["trees"] == b["trees"] and a["changed"] == b["changed"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.auth",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="instructions,wrk,login",
                        type=lambda v: names(v, list(MODES), "mode"),
                        help="comma-separated: " + ", ".join(MODES)
                        + " (default instructions,wrk,login)")
    parser.add_argument("--pairs", default=",".join(PAIRS),
                        type=lambda v: names(v, list(PAIRS), "pair"))
    parser.add_argument("--runs", type=int, default=3, help="runs of each mode (3)")
    parser.add_argument("--requests", type=int, default=300,
                        help="instructions: requests counted per request kind (300)")
    parser.add_argument("--warmup-requests", type=int, default=50)
    parser.add_argument("--hash-seed", type=int, default=0)
    parser.add_argument("--duration", type=float, default=5.0, help="wrk: seconds measured (5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="wrk: seconds of warm-up (1)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads (4)")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--calls", type=int, default=300,
                        help="inprocess: calls per batch (5 batches; 300)")
    parser.add_argument("--profile", choices=[*PAIRS, "all"],
                        help="inprocess: also print cProfile's top functions of this pair")
    parser.add_argument("--login-rounds", type=int, default=10)
    parser.add_argument("--factory", default=CONTENDERS["podium"].factory,
                        help="module:function building the app (default: production.ini's "
                             "Podium, bench/peers/podium_app.py); another one tries a change "
                             "without editing the platform")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to the factory; a dotted key is a setting "
                             "(e.g. tm.annotate_user=false); repeatable")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 10 or args.duration > 60 or args.requests < 1:
        parser.error("--runs 1..10, --duration at most 60, --requests at least 1")
    cpus = sorted(os.sched_getaffinity(0))
    pin = (cpus[0], cpus[1]) if len(cpus) >= 2 and not args.no_pin else (None, None)
    pairs = [PAIRS[name] for name in args.pairs]
    if any("=" not in item for item in args.option):
        parser.error("--option takes KEY=VALUE")
    options = dict(item.split("=", 1) for item in args.option)
    warn_if_busy()
    results: list[Result] = []
    login: dict[str, Any] | None = None
    began = machine()
    code = code_state()
    #: Where the code differed from the start's, run by run (others commit
    #: while a run goes on: a mixed result is to be run again, not reported).
    changes: list[dict[str, Any]] = []
    try:
        for mode in args.modes:
            for run in range(args.runs if mode != "login" else 1):
                with tempfile.TemporaryDirectory(prefix="podium-auth-") as tmp, \
                        site(Path(tmp), args.factory, options) as site_:
                    log(f"[{mode}] run {run + 1}/{args.runs if mode != 'login' else 1}")
                    now = code_state()
                    if not same_code(now, code):
                        log(f"warning: the code changed since the start ({code['commit'][:10]}"
                            f" -> {now['commit'][:10]}, {len(now['changed'])} files changed): "
                            "this run measures other code than the first")
                        changes.append({"mode": mode, "run": run, **now})
                    if mode == "instructions":
                        results += run_instructions(site_, Path(tmp), run, pairs, args.requests,
                                                    args.warmup_requests, args.threads,
                                                    args.hash_seed)
                    elif mode == "wrk":
                        results += run_wrk(site_, Path(tmp), run, pairs, args.duration,
                                           args.warmup, args.threads, args.connections, pin)
                    elif mode == "inprocess":
                        results += run_inprocess(site_, run, pairs, args.calls, args.profile)
                    else:
                        login = run_login(site_, args.login_rounds)
    except (ServerError, wrk.WrkError, RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    info = machine()
    print(f"Authentication costs, SQLite - {began['date']} to {info['date']} - {info['cpu']}, "
          f"load {began['load_average']} -> {info['load_average']}")
    changed = code["changed"]
    print(f"code: {code['commit'][:10]}"
          + (f", with {len(changed)} changed files in platform/ and plugins/" if changed else ""))
    if changes:
        print(f"WARNING: the code changed during the run ({len(changes)} runs on other code): "
              "run it again")
    print(table(results))
    if login:
        print(login_table(login))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": info, "started": began, "code": code, "code_changes": changes,
        "options": {
            k: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()},
        "results": [asdict(r) for r in results], "login": login,
    }, indent=2) + "\n")
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The rounds of a run: start every contender, check, measure, stop.

In each round every selected contender is started fresh (all of them at
once, on the server CPU: idle waitress processes cost nothing measurable),
each scenario's responses are checked against the rules, and then for each
scenario the contenders are driven one after the other, so that the two
numbers of a ratio are measured seconds apart in the same round.  The
contenders' order rotates from round to round so none is always first.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import wrk
from .data import database
from .distinfo import bench_plugin_paths
from .peers import CONTENDERS, Contender, podium_app
from .scenarios import FORM_MESSAGE, SCENARIOS, TFB_HEADERS, check_response
from .server import Server, ServerError, request, running


@dataclass(frozen=True)
class Options:
    """Everything that shapes a run; recorded with its results."""

    scenarios: tuple[str, ...]
    contenders: tuple[str, ...]
    databases: tuple[str, ...] = ("sqlite",)
    duration: float = 5.0
    warmup: float = 1.0
    rounds: int = 3
    threads: int = 4
    connections: int = 8
    wrk_threads: int = 1
    server_cpu: int | None = 0
    wrk_cpu: int | None = 1
    baseline: str | None = None


@dataclass
class Measurement:
    round: int
    scenario: str
    contender: str
    result: wrk.WrkResult | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round, "scenario": self.scenario, "contender": self.contender,
            "result": self.result.as_dict() if self.result else None, "problem": self.problem,
        }


@dataclass
class RunResult:
    database: str
    measurements: list[Measurement] = field(default_factory=list)


def names(value: str, known: Sequence[str], what: str) -> tuple[str, ...]:
    """A comma-separated command-line list, each name checked against ``known``."""
    found = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in found if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return found


#: ``--sqlite-synchronous``: podium once per mode, named ``podium@FULL``,
#: ``podium@NORMAL``, so that the modes are measured in the same rounds.
VARIANT_SEPARATOR = "@"
SQLITE_SYNCHRONOUS_SETTING = "podium.sqlite_synchronous"


def with_sqlite_synchronous(contenders: Sequence[str], modes: Sequence[str]) -> tuple[str, ...]:
    """``contenders`` with ``podium`` replaced by one ``podium@MODE`` per mode."""
    if not modes:
        return tuple(contenders)
    expanded: list[str] = []
    for name in contenders:
        if name == "podium":
            expanded += [f"podium{VARIANT_SEPARATOR}{mode}" for mode in modes]
        else:
            expanded.append(name)
    return tuple(expanded)


def contender_of(name: str) -> Contender:
    """The contender a measured name runs (``podium@NORMAL``: ``podium``)."""
    return CONTENDERS[name.partition(VARIANT_SEPARATOR)[0]]


def server_options(name: str) -> dict[str, str]:
    """The settings a measured name adds to its contender's (``podium@NORMAL``:
    ``podium.sqlite_synchronous = NORMAL``)."""
    mode = name.partition(VARIANT_SEPARATOR)[2]
    return {SQLITE_SYNCHRONOUS_SETTING: mode} if mode else {}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def warn_if_busy(threshold: float = 0.5) -> None:
    """Other work on a 2-core machine shows up as noise in every number."""
    load = os.getloadavg()[0]
    if load > threshold:
        log(f"warning: load average {load:.2f} before starting: something else is running, "
            "the numbers will be noisy (ratios less so: they are taken within a round)")


def plan(options: Options) -> list[tuple[str, str]]:
    """(scenario, contender) pairs to measure, in measuring order."""
    pairs = []
    for scenario in options.scenarios:
        for name in options.contenders:
            if scenario in contender_of(name).scenarios:
                pairs.append((scenario, name))
    return pairs


def estimated_seconds(options: Options) -> float:
    per_pair = max(1, round(options.warmup)) + max(1, round(options.duration)) + 0.3
    starts = 3.0 * len(options.contenders)
    return len(options.databases) * options.rounds * (len(plan(options)) * per_pair + starts)


_TOKEN = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def form_request(server: Server, prefix: str) -> dict[str, Any]:
    """The POST the form scenario sends: the session cookie and the CSRF token
    are fetched once from the form page, as a browser would."""
    status, headers, body = request(server.port, prefix + "/form", headers=TFB_HEADERS)
    match = _TOKEN.search(body.decode("utf-8", "replace"))
    if status != 200 or match is None:
        raise ServerError(f"{server.name}: the form page answered {status} without a token")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    return {
        "method": "POST",
        "body": urlencode({"csrf_token": match.group(1), "message": FORM_MESSAGE}),
        "headers": {
            **TFB_HEADERS,
            "Cookie": "; ".join([TFB_HEADERS["Cookie"], *cookies]),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    }


def request_shape(server: Server, prefix: str, scenario: str) -> dict[str, Any]:
    """The method, body and headers every request of ``scenario`` sends."""
    if scenario == "form":
        return form_request(server, prefix)
    return {"method": "GET", "body": None, "headers": TFB_HEADERS}


def prepare(server: Server, contender: str, scenarios: tuple[str, ...],
            scripts: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Check each scenario once on the live server and write its wrk script.

    Returns the scripts of the scenarios that passed and the problems of
    those that did not (they are reported, not measured).
    """
    prefix = contender_of(contender).prefix
    ready: dict[str, Path] = {}
    problems: dict[str, str] = {}
    for name in scenarios:
        if name not in contender_of(contender).scenarios:
            continue
        spec = SCENARIOS[name]
        try:
            shape = request_shape(server, prefix, name)
            status, headers, body = request(
                server.port, spec.url(prefix), shape["method"],
                shape["body"].encode() if shape["body"] else None, shape["headers"],
            )
        except (OSError, ServerError) as exc:
            problems[name] = f"request failed: {exc}"
            continue
        found = check_response(name, status, headers, body, from_server=True)
        if found:
            problems[name] = "; ".join(found)
            continue
        path = scripts / f"{contender}-{name}.lua"
        path.write_text(wrk.lua_script(shape["method"], shape["body"], shape["headers"]))
        ready[name] = path
    return ready, problems


@contextmanager
def contenders_database(kind: str, workdir: Path,
                        contenders: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
    """A fresh seeded database the contenders can serve: its URL and the
    extra ``sys.path`` entries their servers need.  For Podium, the bench
    plugin made discoverable and ``podium db upgrade`` run, since
    production.ini requires a current schema."""
    log(f"[{kind}] seeding a fresh database")
    with database(kind, workdir) as url:
        extra: list[str] = []
        if any(contender_of(name).name == "podium" for name in contenders):
            extra = bench_plugin_paths(workdir / "site")
            if extra:
                log("note: podium_bench is not installed (make install-bench does it); "
                    "serving it from plugins/podium_bench")
            log(f"[{kind}] podium db upgrade (production.ini requires a current schema)")
            podium_app.prepare_database(url, workdir, extra)
        yield url, extra


def run_database(options: Options, kind: str) -> RunResult:
    """All rounds on one database kind, in a temporary directory removed after."""
    result = RunResult(kind)
    with tempfile.TemporaryDirectory(prefix="podium-bench-") as tmp:
        workdir = Path(tmp)
        with contenders_database(kind, workdir, options.contenders) as (url, extra):
            for index in range(options.rounds):
                run_round(options, kind, url, index, workdir / f"round{index}", extra, result)
    return result


def run_round(options: Options, kind: str, url: str, index: int, workdir: Path,
              extra_paths: list[str], result: RunResult) -> None:
    shift = index % len(options.contenders)
    order = options.contenders[shift:] + options.contenders[:shift]
    specs = [
        {
            "name": name, "factory": contender_of(name).factory, "db_url": url,
            "workdir": workdir, "threads": options.threads, "cpu": options.server_cpu,
            "extra_paths": extra_paths, "probe_path": contender_of(name).prefix + "/json",
            "options": server_options(name),
        }
        for name in order
    ]
    log(f"[{kind}] round {index + 1}/{options.rounds}: starting {', '.join(order)}")
    with running(specs) as servers:
        scripts = workdir / "scripts"
        scripts.mkdir(parents=True, exist_ok=True)
        ready: dict[str, dict[str, Path]] = {}
        for name in order:
            ready[name], problems = prepare(servers[name], name, options.scenarios, scripts)
            for scenario, problem in problems.items():
                log(f"  {name} {scenario}: NOT MEASURED: {problem}")
                result.measurements.append(Measurement(index, scenario, name, problem=problem))
        for scenario in options.scenarios:
            spec = SCENARIOS[scenario]
            for name in order:
                script = ready[name].get(scenario)
                if script is None:
                    continue
                server = servers[name]
                target = server.url(spec.url(contender_of(name).prefix))
                measurement = Measurement(index, scenario, name)
                try:
                    run_kw = {
                        "connections": options.connections, "threads": options.wrk_threads,
                        "cpu": options.wrk_cpu, "expected_status": spec.status,
                    }
                    wrk.run(target, script, options.warmup, **run_kw)
                    measurement.result = wrk.run(target, script, options.duration, **run_kw)
                except wrk.WrkError as exc:
                    measurement.problem = str(exc)
                if server.process.poll() is not None:
                    measurement.problem = f"server died:\n{server.log_tail()}"
                result.measurements.append(measurement)
                r = measurement.result
                log(f"  {scenario:<9} {name:<13} "
                    + (f"{r.rps:9.1f} req/s  p99 {r.p99_ms:6.2f} ms  bad {r.bad}"
                       if r else f"FAILED: {measurement.problem}"))
        time.sleep(0.1)

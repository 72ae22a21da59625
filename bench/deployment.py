"""Targets 4 and 5: production.ini's server against one waitress process.

``python -m bench.deployment`` runs ``bench/deployment.sh`` (which starts the
servers with ``pserve``, as an operator would) and reads its lines into
same-round ratios:

``--scenario json``  (target 5) production.ini's workers, started unpinned,
                     against one waitress process pinned to a core, with its
                     p99;
``--scenario db``    (target 4) the same on a fresh seeded database, by
                     default PostgreSQL: two app processes on one database
                     against one.

Each round runs ``single-pinned``, ``single-unpinned`` and
``workers-unpinned`` one after the other; the ratio of a round divides that
round's numbers only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from statistics import median
from typing import Any

from . import REPO_ROOT
from .data import database, postgres_reachable
from .report import machine
from .runner import log, warn_if_busy

SCRIPT = REPO_ROOT / "bench" / "deployment.sh"
DEFAULT_JSON = REPO_ROOT / "bench" / "results" / "deployment.json"
LABELS = ("single-pinned", "single-unpinned", "workers-unpinned")
_LINE = re.compile(
    r"^(?P<label>[\w-]+) (?P<rps>[\d.]+) req/s p99 (?P<p99>[\d.]+)(?P<unit>us|ms|s)"
    r"(?: errors (?P<errors>\d+))?"
    r"(?: cpu us/request app (?P<app>\d+) postgres (?P<postgres>\d+) wrk (?P<wrk>\d+))?$")
_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse(output: str) -> list[dict[str, dict[str, float]]]:
    """deployment.sh's lines, grouped into rounds (a round ends with its workers line)."""
    rounds: list[dict[str, dict[str, float]]] = [{}]
    for line in output.splitlines():
        found = _LINE.match(line.strip())
        if not found or found["label"] not in LABELS:
            continue
        rounds[-1][found["label"]] = {
            "rps": float(found["rps"]),
            "p99_ms": float(found["p99"]) * _TO_MS[found["unit"]],
            "errors": int(found["errors"] or 0),
        }
        if found["app"] is not None:
            rounds[-1][found["label"]]["cpu_us"] = {
                part: float(found[part]) for part in ("app", "postgres", "wrk")}
        if found["label"] == LABELS[-1]:
            rounds.append({})
    return [r for r in rounds if len(r) == len(LABELS)]


def summarize(rounds: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    """Medians over rounds of each round's own ratios."""
    if not rounds:
        return {}
    ratios = [r["workers-unpinned"]["rps"] / r["single-pinned"]["rps"] for r in rounds]
    unpinned = [r["single-unpinned"]["rps"] / r["single-pinned"]["rps"] for r in rounds]
    return {
        "workers_vs_pinned": median(ratios),
        "workers_vs_pinned_range": [min(ratios), max(ratios)],
        "unpinned_vs_pinned": median(unpinned),
        "workers_p99_ms": median(r["workers-unpinned"]["p99_ms"] for r in rounds),
        "pinned_p99_ms": median(r["single-pinned"]["p99_ms"] for r in rounds),
        # Target 4 asks for none: non-2xx/3xx responses and socket errors, all runs.
        "errors": sum(run["errors"] for r in rounds for run in r.values()),
        **_cpu_summary(rounds),
    }


def _cpu_summary(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """CPU per request of each party, and the workers' ratio the two cores
    allow: all of both cores spent at the workers run's cost per request,
    against the pinned process's measured rate."""
    with_cpu = [r for r in rounds if all("cpu_us" in run for run in r.values())]
    if not with_cpu:
        return {}
    cpu = {label: {part: median(r[label]["cpu_us"][part] for r in with_cpu)
                   for part in ("app", "postgres", "wrk")} for label in LABELS}
    ceilings = [2e6 / sum(r["workers-unpinned"]["cpu_us"].values()) / r["single-pinned"]["rps"]
                for r in with_cpu]
    return {"cpu_us_per_request": cpu, "workers_ceiling": median(ceilings)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_script(scenario: str, duration: float, database_url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    env.update(SCENARIO=scenario, DUR=str(max(1, round(duration))),
               SINGLE_PORT=str(_free_port()), WORKERS_PORT=str(_free_port()))
    if database_url:
        env["PODIUM_DATABASE_URL"] = database_url
    # 3 rounds x 3 servers x (start + 2 s warm-up + the run + stop), bounded.
    timeout = 9 * (duration + 20) + 60
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"bench/deployment.sh failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def measure(scenario: str, duration: float, db: str) -> str:
    """deployment.sh's output; for ``db``, on a fresh seeded database of its own."""
    if scenario == "json":
        return run_script(scenario, duration, None)
    with tempfile.TemporaryDirectory(prefix="podium-bench-deployment-") as tmp:
        with database(db, Path(tmp)) as url:
            return run_script(scenario, duration, url)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.deployment", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", choices=("json", "db"), default="json")
    p.add_argument("--db", choices=("postgres", "sqlite"), default="postgres",
                   help="the database of --scenario db (default postgres)")
    p.add_argument("--duration", type=float, default=4.0, help="seconds per run (at most 60)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = p.parse_args(argv)
    if not 0 < args.duration <= 60:
        raise SystemExit("keep runs bounded: --duration up to 60 s")
    if args.scenario == "db" and args.db == "postgres" and not postgres_reachable():
        raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432")
    warn_if_busy()
    info = machine()
    output = measure(args.scenario, args.duration, args.db)
    rounds = parse(output)
    summary = summarize(rounds)
    what = args.scenario + (f" on {args.db}" if args.scenario == "db" else "")
    print(f"Podium deployment, {what} - {info['date']} - {info['cpu']}, {info['usable_cpus']} CPUs")
    print(output.strip())
    if not summary:
        log("no complete round was measured")
        return 1
    low, high = summary["workers_vs_pinned_range"]
    print(f"workers (unpinned) / one pinned process: {summary['workers_vs_pinned']:.2f}x "
          f"({low:.2f}-{high:.2f}), p99 {summary['workers_p99_ms']:.1f} ms; "
          f"one unpinned / one pinned: {summary['unpinned_vs_pinned']:.2f}x; "
          f"errors {summary['errors']}")
    if "cpu_us_per_request" in summary:
        for label, parts in summary["cpu_us_per_request"].items():
            print(f"  cpu us/request, {label}: "
                  + ", ".join(f"{part} {value:.0f}" for part, value in parts.items()))
        print(f"  what the two cores allow the workers: {summary['workers_ceiling']:.2f}x "
              "the pinned process (both cores at the workers' cost per request)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": {**info, "scenario": args.scenario,
                                              "db": args.db, "duration": args.duration},
                                     "rounds": rounds, "summary": summary}, indent=1) + "\n")
    log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

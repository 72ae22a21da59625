"""Medians, same-round ratios, the table and the JSON file.

A ratio is always computed within one round (contender / baseline, measured
one right after the other on servers started together) and the median of
those per-round ratios is reported: the ratio of two medians would mix
rounds run under different machine load.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from statistics import median
from typing import Any

from .runner import Measurement, Options, RunResult
from .scenarios import DEFAULT_BASELINES, SCENARIOS

PACKAGES = ("podium", "pyramid", "pyramid_tm", "zope.sqlalchemy", "SQLAlchemy", "Flask",
            "waitress", "Jinja2", "psycopg")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _wrk_version() -> str:
    if shutil.which("wrk") is None:
        return "not installed"
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else "?"


def machine() -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": socket.gethostname(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "wrk": _wrk_version(),
        "packages": versions,
    }


def baseline_for(scenario: str, options: Options) -> str | None:
    name = options.baseline or DEFAULT_BASELINES.get(scenario)
    return name if name in options.contenders else None


def summarize(run: RunResult, options: Options) -> list[dict[str, Any]]:
    """One row per (scenario, contender): medians over rounds, median ratio."""
    by_key: dict[tuple[str, str], list[Measurement]] = defaultdict(list)
    rps: dict[tuple[str, str, int], float] = {}
    for m in run.measurements:
        by_key[(m.scenario, m.contender)].append(m)
        if m.result is not None and m.problem is None:
            rps[(m.scenario, m.contender, m.round)] = m.result.rps
    rows = []
    for scenario in options.scenarios:
        baseline = baseline_for(scenario, options)
        for contender in options.contenders:
            items = by_key.get((scenario, contender))
            if not items:
                continue
            good = [m.result for m in items if m.result is not None and m.problem is None]
            ratios = [
                rps[(scenario, contender, r)] / rps[(scenario, baseline, r)]
                for r in range(options.rounds)
                if (scenario, contender, r) in rps and (scenario, baseline, r) in rps
                and rps[(scenario, baseline, r)] > 0
            ] if baseline else []
            problems = sorted({m.problem for m in items if m.problem})
            rows.append({
                "scenario": scenario,
                "contender": contender,
                "rounds": len(good),
                "rps": median(r.rps for r in good) if good else None,
                "p50_ms": median(r.p50_ms for r in good) if good else None,
                "p99_ms": median(r.p99_ms for r in good) if good else None,
                "bad": sum(r.bad for r in good),
                "requests": sum(r.requests for r in good),
                "baseline": baseline,
                "ratio": median(ratios) if ratios else None,
                "ratio_min": min(ratios) if ratios else None,
                "ratio_max": max(ratios) if ratios else None,
                "problems": problems,
            })
    return rows


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict[str, Any]], title: str) -> str:
    lines = [title, ""]
    header = (f"{'scenario':<10} {'contender':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'errors':>7}  {'ratio (min-max)':<20} {'vs':<13}")
    header = header.rstrip()
    lines += [header, "-" * len(header)]
    previous = None
    for row in rows:
        scenario = row["scenario"] if row["scenario"] != previous else ""
        previous = row["scenario"]
        if row["ratio"] is None:
            ratio = "-"
        elif row["contender"] == row["baseline"]:
            ratio = "1.00x (baseline)"
        else:
            ratio = f"{row['ratio']:.2f}x ({row['ratio_min']:.2f}-{row['ratio_max']:.2f})"
        line = (f"{scenario:<10} {row['contender']:<13} {_fmt(row['rps'], '9.1f')} "
                f"{_fmt(row['p50_ms'], '8.2f')} {_fmt(row['p99_ms'], '8.2f')} "
                f"{row['bad']:>7}  {ratio:<20} {row['baseline'] or '':<13}")
        if row["problems"]:
            line += "  NOT MEASURED: " + row["problems"][0][:100]
        lines.append(line.rstrip())
    return "\n".join(lines)


def describe(options: Options, info: dict[str, Any]) -> str:
    pin = (f"server pinned to CPU {options.server_cpu}, wrk to CPU {options.wrk_cpu}"
           if options.server_cpu is not None else "unpinned")
    return (f"{info['date']} - {info['cpu']}, {info['usable_cpus']} CPUs, "
            f"load {info['load_average'][0]} - Python {info['python']}\n"
            f"waitress {options.threads} threads, wrk -t{options.wrk_threads} "
            f"-c{options.connections}, {pin}; {options.rounds} round(s) x "
            f"{max(1, round(options.duration))} s after {max(1, round(options.warmup))} s warm-up")


def write_json(path: Path, options: Options, info: dict[str, Any],
               runs: list[RunResult]) -> None:
    data = {
        "meta": {**info, "options": asdict(options),
                 "scenarios": {n: asdict(s) for n, s in SCENARIOS.items()}},
        "runs": {
            run.database: {
                "summary": summarize(run, options),
                "measurements": [m.as_dict() for m in run.measurements],
            }
            for run in runs
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")

"""``python -m bench``: measure every contender on every scenario.

Examples::

    python -m bench --quick                      # smoke check, about 2 minutes
    python -m bench                              # 3 rounds x 5 s, about 13 minutes
    python -m bench --db postgres --scenarios db,fortunes --contenders cookiecutter,podium
    python -m bench --scaling                    # then python -m bench.scaling's runs
    python -m bench --instructions               # then python -m bench.instructions
    python -m bench --scenarios db,updates --contenders cookiecutter,podium \
        --sqlite-synchronous FULL,NORMAL --baseline podium@FULL   # what FULL costs
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from . import REPO_ROOT
from .data import postgres_reachable
from .peers import CONTENDERS
from .report import describe, machine, summarize, table, write_json
from .runner import (
    Options,
    estimated_seconds,
    log,
    names,
    run_database,
    warn_if_busy,
    with_sqlite_synchronous,
)
from .scenarios import SCENARIOS

DEFAULT_JSON = REPO_ROOT / "bench" / "results" / "latest.json"
#: podium.sqlite_synchronous's values (podium/store/engine.py), FULL the default.
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="one round of 2 s per run after 1 s of warm-up (smoke check)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   type=lambda v: names(v, list(SCENARIOS), "scenario"),
                   help="comma-separated (default: all): " + ", ".join(SCENARIOS))
    p.add_argument("--contenders", default=",".join(CONTENDERS),
                   type=lambda v: names(v, list(CONTENDERS), "contender"),
                   help="comma-separated (default: all): " + ", ".join(CONTENDERS))
    p.add_argument("--db", choices=("sqlite", "postgres", "all"), default="sqlite",
                   help="database of the db scenarios (all: PostgreSQL too when reachable)")
    p.add_argument("--duration", type=float,
                   help="seconds measured per run (default 5; --quick: 2)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per run")
    p.add_argument("--rounds", type=int,
                   help="rounds; medians are over rounds (default 3; --quick: 1)")
    p.add_argument("--threads", type=int, default=4, help="waitress threads of every server")
    p.add_argument("--connections", type=int, default=8, help="wrk connections")
    p.add_argument("--sqlite-synchronous", default=(),
                   type=lambda v: names(v.upper(), SQLITE_SYNCHRONOUS, "synchronous mode"),
                   help="comma-separated podium.sqlite_synchronous modes: podium is measured "
                        "once per mode in the same rounds, as podium@FULL, podium@NORMAL "
                        "(default: production.ini's, FULL, as podium; SQLite only)")
    p.add_argument("--baseline",
                   choices=[*CONTENDERS, *(f"podium@{m}" for m in SQLITE_SYNCHRONOUS)],
                   help="ratio baseline of every scenario (default: bare_pyramid, and "
                        "cookiecutter for the database scenarios)")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin the server to CPU 0 and wrk to CPU 1")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    p.add_argument("--scaling", action="store_true",
                   help="also run the scaling runs (python -m bench.scaling)")
    p.add_argument("--deployment", action="store_true",
                   help="also run production.ini's server against one process "
                        "(python -m bench.deployment: JSON, then db on PostgreSQL if it answers)")
    p.add_argument("--instructions", action="store_true",
                   help="also count instructions per request under callgrind, plaintext and "
                        "JSON against bare Pyramid (python -m bench.instructions)")
    return p


def options_from(args: argparse.Namespace) -> Options:
    args.duration = args.duration or (2.0 if args.quick else 5.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    if args.rounds < 1 or args.duration <= 0 or args.warmup < 0:
        raise SystemExit("--rounds must be >= 1 and --duration > 0")
    if args.duration > 120 or args.rounds > 20:
        raise SystemExit("refusing more than 120 s per run or 20 rounds: keep runs bounded")
    cpus = sorted(os.sched_getaffinity(0))
    pin = not args.no_pin and len(cpus) >= 2
    if not args.no_pin and not pin:
        log("note: fewer than 2 usable CPUs, running unpinned")
    if args.db == "all":
        databases = ("sqlite", "postgres") if postgres_reachable() else ("sqlite",)
    elif args.db == "postgres" and not postgres_reachable():
        raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432")
    else:
        databases = (args.db,)
    contenders = with_sqlite_synchronous(args.contenders, args.sqlite_synchronous)
    if args.baseline and args.baseline not in contenders:
        raise SystemExit(f"--baseline {args.baseline} is not among the contenders measured: "
                         + ", ".join(contenders))
    return Options(
        scenarios=args.scenarios, contenders=contenders, databases=databases,
        duration=args.duration, warmup=args.warmup, rounds=args.rounds, threads=args.threads,
        connections=args.connections, server_cpu=cpus[0] if pin else None,
        wrk_cpu=cpus[1] if pin else None, baseline=args.baseline,
    )


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so every server is stopped on the way out."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Pyramid 2.1 imports pkg_resources; the warning says nothing about the benchmark.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    options = options_from(args)
    signal.signal(signal.SIGTERM, _terminate)
    log(f"about {estimated_seconds(options) / 60:.1f} minutes: {options.rounds} round(s), "
        f"{len(options.contenders)} contenders, {len(options.scenarios)} scenarios, "
        f"{', '.join(options.databases)}")
    warn_if_busy()
    info = machine()
    runs = []
    for kind in options.databases:
        run = run_database(options, kind)
        runs.append(run)
        title = f"Podium benchmark, {kind}\n{describe(options, info)}"
        print(table(summarize(run, options), title))
        print()
    write_json(args.json, options, info, runs)
    log(f"results written to {args.json}")
    if args.scaling:
        from . import scaling

        scaling.main(["--rounds", str(options.rounds), "--duration", str(options.duration)]
                     + (["--no-pin"] if args.no_pin else []))
    if args.deployment:
        from . import deployment

        seconds = ["--duration", str(min(options.duration, 60))]
        failed_deployment = deployment.main(seconds)
        if postgres_reachable():
            failed_deployment |= deployment.main(
                [*seconds, "--scenario", "db", "--json",
                 str(deployment.DEFAULT_JSON.with_name("deployment-db.json"))])
        if failed_deployment:
            return 1
    if args.instructions:
        from . import instructions

        if instructions.main([]) != 0:
            return 1
    failed = any(m.problem for run in runs for m in run.measurements)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

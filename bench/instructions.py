"""``python -m bench.instructions``: instructions per request, counted by
valgrind's callgrind, a figure the machine's noise does not move.

On these 2-core machines a contender's throughput moves by 10-30% from one
round to the next (other tenants, frequency changes), so a target of a few
percent, such as Podium's plaintext and JSON at 0.97x bare Pyramid, cannot
be read off wrk's figures: the rounds disagree by more than the gap.
callgrind counts the instructions the server process executes whatever
else runs on the machine: for the same code, requests and hash seed, two
runs of 1000 requests agree within a fraction of a percent (waitress's I/O
thread wakes up by the clock, so not to the instruction).

Each contender runs as the same real waitress server ``python -m bench``
starts, under callgrind.  For each scenario: a warm-up, then the counters
are zeroed, the requests are sent one after another on one keep-alive
connection (each checked for its status), and the counters are dumped.  The
count covers the whole process, the server's share included, as a
throughput does.  It leaves out what instructions do not show: cache
misses, branch mispredictions, waiting on the GIL, so it complements wrk's
figures, it does not replace them.

The ratio is baseline instructions / contender instructions: above 1 the
contender does less work per request, read like the throughput ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import REPO_ROOT
from .data import PG_HOST, PG_PORT, postgres_reachable
from .peers import CONTENDERS
from .report import machine
from .runner import contenders_database, log, names, request_shape
from .scenarios import SCENARIOS
from .server import Server, ServerError, start

DEFAULT_JSON = REPO_ROOT / "bench" / "results" / "instructions.json"
#: Python under valgrind starts some 50 times slower than without.
START_TIMEOUT = 300.0
DUMP_TIMEOUT = 60.0

_SUMMARY = re.compile(rb"^summary:\s*(\d+)\s*$", re.MULTILINE)


class CallgrindError(RuntimeError):
    """valgrind is missing, or a count could not be taken."""


@dataclass(frozen=True)
class Count:
    scenario: str
    contender: str
    requests: int
    instructions: int

    @property
    def per_request(self) -> float:
        return self.instructions / self.requests


def require_callgrind() -> None:
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        raise CallgrindError(f"{' and '.join(missing)} not found: install Debian's valgrind "
                             "package (apt-get install valgrind)")


def wrapper(out_file: Path, hash_seed: int, *, instrument_at_start: bool = True) -> list[str]:
    """The command prefix that runs a server under callgrind with a fixed
    hash seed (dict and set layouts change the counts from run to run
    otherwise).  A dump holds what ran since the last zero: see
    :func:`count_scenario`.

    ``instrument_at_start=False`` runs the process uninstrumented (some 5
    times slower than without valgrind instead of some 50) until
    :func:`start_counting`: for callers that zero the counters before each
    count anyway, start-up (imports, the app's configuration) then costs
    seconds instead of a minute, and the counts are the same, instructions
    being counted only between a zero and a dump."""
    return ["env", f"PYTHONHASHSEED={hash_seed}", "valgrind", "--tool=callgrind",
            "--quiet", f"--callgrind-out-file={out_file}",
            *([] if instrument_at_start else ["--instr-atstart=no"])]


def start_counting(pid: int) -> None:
    """Switch on the instrumentation of a process started with
    ``wrapper(..., instrument_at_start=False)``, before its warm-up."""
    _control(pid, "--instr=on")


def dump_summary(text: bytes) -> int | None:
    """The instruction count of one callgrind dump (its ``summary:`` line);
    None while the dump is not written completely."""
    if b"\ntotals:" not in text:
        return None
    match = _SUMMARY.search(text)
    if match is None:
        raise CallgrindError("a callgrind dump without a summary line")
    return int(match.group(1))


def _control(pid: int, *args: str) -> None:
    done = subprocess.run(["callgrind_control", *args, str(pid)], capture_output=True,
                          text=True, timeout=DUMP_TIMEOUT, check=False)
    if done.returncode != 0:
        raise CallgrindError(f"callgrind_control {' '.join(args)} {pid} failed: "
                             f"{(done.stdout + done.stderr).strip()}")


def _read_dump(path: Path) -> int:
    deadline = time.monotonic() + DUMP_TIMEOUT
    while time.monotonic() < deadline:
        if path.exists():
            count = dump_summary(path.read_bytes())
            if count is not None:
                return count
        time.sleep(0.1)
    raise CallgrindError(f"callgrind wrote no complete dump to {path}")


def send(connection: http.client.HTTPConnection, shape: dict[str, Any], path: str,
         status: int, times: int) -> None:
    body = shape["body"].encode() if shape["body"] else None
    for _ in range(times):
        connection.request(shape["method"], path, body=body, headers=shape["headers"])
        response = connection.getresponse()
        response.read()
        if response.status != status:
            raise CallgrindError(f"{shape['method']} {path} answered {response.status}, "
                                 f"expected {status}")


def count_requests(server: Server, out_file: Path, dumps: int, label: str,
                   shape: dict[str, Any], path: str, status: int, requests: int,
                   warmup: int) -> int:
    """Warm up, zero, send ``requests`` of ``shape`` to ``path``, dump: the
    instructions of the dump numbered ``dumps`` (``label`` names it)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        send(connection, shape, path, status, warmup)
        _control(server.pid, "--zero")
        send(connection, shape, path, status, requests)
        _control(server.pid, f"--dump={label}")
    finally:
        connection.close()
    return _read_dump(out_file.with_name(f"{out_file.name}.{dumps}"))


def count_scenario(server: Server, out_file: Path, dumps: int, contender: str, scenario: str,
                   requests: int, warmup: int) -> Count:
    """Warm up, zero, send ``requests``, dump: the dump numbered ``dumps``."""
    spec = SCENARIOS[scenario]
    prefix = CONTENDERS[contender].prefix
    shape = request_shape(server, prefix, scenario)
    return Count(scenario, contender, requests,
                 count_requests(server, out_file, dumps, f"{contender}-{scenario}", shape,
                                spec.url(prefix), spec.status, requests, warmup))


def count_contender(contender: str, scenarios: Sequence[str], url: str, workdir: Path,
                    extra_paths: Sequence[str], requests: int, warmup: int, threads: int,
                    hash_seed: int) -> list[Count]:
    out_file = workdir / f"{contender}.callgrind"
    log(f"{contender}: starting under callgrind (instrumented once it answers)")
    server = start(contender, CONTENDERS[contender].factory, url, workdir, threads=threads,
                   extra_paths=extra_paths, probe_path=CONTENDERS[contender].prefix + "/json",
                   timeout=START_TIMEOUT,
                   wrapper=wrapper(out_file, hash_seed, instrument_at_start=False))
    counts = []
    try:
        start_counting(server.pid)
        for number, scenario in enumerate(
                (s for s in scenarios if s in CONTENDERS[contender].scenarios), start=1):
            found = count_scenario(server, out_file, number, contender, scenario,
                                   requests, warmup)
            log(f"  {scenario:<9} {contender:<13} {found.per_request:12,.0f} instructions/request")
            counts.append(found)
    finally:
        server.stop()
    return counts


def ratios(counts: Sequence[Count], baseline: str) -> dict[tuple[str, str], float]:
    """(scenario, contender) -> baseline's instructions / the contender's."""
    base = {c.scenario: c.per_request for c in counts if c.contender == baseline}
    return {(c.scenario, c.contender): base[c.scenario] / c.per_request
            for c in counts if c.scenario in base}


def table(counts: Sequence[Count], baseline: str) -> str:
    found = ratios(counts, baseline)
    lines = [f"{'scenario':<10} {'contender':<13} {'instr/request':>14}  ratio vs {baseline}",
             "-" * 60]
    for scenario in dict.fromkeys(c.scenario for c in counts):
        for c in (c for c in counts if c.scenario == scenario):
            ratio = found.get((scenario, c.contender))
            shown = "baseline" if c.contender == baseline else (
                f"{ratio:.3f}x" if ratio is not None else "-")
            lines.append(f"{scenario:<10} {c.contender:<13} {c.per_request:14,.0f}  {shown}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--contenders", default="bare_pyramid,podium",
                        type=lambda v: names(v, list(CONTENDERS), "contender"),
                        help="the first is the baseline (default: bare_pyramid,podium)")
    parser.add_argument("--scenarios", default="plaintext,json",
                        type=lambda v: names(v, list(SCENARIOS), "scenario"))
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hash-seed", type=int, default=0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="the database (postgres: a fresh database on 127.0.0.1:5432, "
                             "whose server is not counted: only the app's process is)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    try:
        require_callgrind()
    except CallgrindError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.db == "postgres" and not postgres_reachable():
        print(f"error: nothing answers on PostgreSQL's port at {PG_HOST}:{PG_PORT}",
              file=sys.stderr)
        return 2
    baseline = args.contenders[0]
    counts: list[Count] = []
    with tempfile.TemporaryDirectory(prefix="podium-instructions-") as tmp:
        workdir = Path(tmp)
        with contenders_database(args.db, workdir, args.contenders) as (url, extra):
            try:
                for contender in args.contenders:
                    counts += count_contender(contender, args.scenarios, url, workdir, extra,
                                              args.requests, args.warmup, args.threads,
                                              args.hash_seed)
            except (CallgrindError, ServerError, OSError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    info = machine()
    print(f"Instructions per request (callgrind), {args.db} - {info['date']} - {info['cpu']}, "
          f"{args.requests} requests after {args.warmup}, hash seed {args.hash_seed}")
    print(table(counts, baseline))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": info, "database": args.db, "baseline": baseline, "requests": args.requests,
        "warmup": args.warmup, "hash_seed": args.hash_seed,
        "counts": [{**asdict(c), "per_request": c.per_request} for c in counts],
        "ratios": [{"scenario": s, "contender": c, "ratio": r}
                   for (s, c), r in ratios(counts, baseline).items()],
    }, indent=2) + "\n")
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

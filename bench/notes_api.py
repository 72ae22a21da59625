"""``python -m bench.notes_api --baseline REV``: the notes API now against REV.

The notes plugin's JSON API is being moved onto the JSON API layer; the
issue asks that a validated create and a validated read run at least 0.95x
as fast as the hand-written views they replace.
``bench.jsonapi`` compares the layer with views of a test plugin; this
compares the notes API itself, as it is in the working tree, with the notes
API at a git revision, in the same run.

The revision's tree is exported with ``git archive`` into a temporary
directory.  Two child processes of this interpreter each build a site in
process (``podium.testing``: migrated SQLite file in ``/dev/shm`` when there
is one, a user with the notes' permissions and the role ``editor``, a bearer
token, 20 notes posted through the API): the baseline child with
``PYTHONPATH`` putting the exported ``platform``, ``plugins/podium_notes`` and
``plugins/podium_tags`` before the editable installs, the current child with
the environment as it is (the working tree's editable installs).  Each child
reports where ``podium``, ``podium_notes`` and ``podium_tags`` were imported
from, and the run stops unless that is the tree it should be.

The parent sends both children the same commands, one JSON line each on
stdin: per scenario a warm-up, then rounds; within a round the two take
turns in slices of ``--slice`` requests, alternating which goes first (the
other sessions' load changes within a second: with whole rounds taken one
after the other, the same code measured 0.94-1.04x itself; in slices of 25,
0.98-1.05x).  A child runs the requests through the WSGI app
(``webob.Request.blank(...).get_response(app)``) and answers the CPU time per
request (``time.process_time``: the machine is shared); what its start-up
made is frozen out of the collector's way (``gc.freeze``).  The figure is
each side's best round and the speed ``baseline_ms / current_ms``; the median
of the rounds' ratios is shown beside it.  Only status codes are checked, so
that the API's shape may change between the two.

Variants: ``notes`` (the notes plugin alone) and ``tags`` (``notes tags``,
the notes and tags sent in create and update and shown by every note).
Exit status 1 when a create or a read is slower than 0.95x.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import REPO_ROOT

#: Scenario, method, expected status.  ``create`` last: the notes it adds
#: would otherwise be in the list's count.
SCENARIOS: dict[str, tuple[str, int]] = {
    "read": ("GET", 200),
    "list": ("GET", 200),
    "update": ("PATCH", 200),
    "create": ("POST", 201),
}
#: The scenarios the issue's target is about.
TARGETED = ("create", "read")
TARGET = 0.95
#: Variant name: the plugins enabled.
VARIANTS: dict[str, str] = {"notes": "notes", "tags": "notes tags"}
#: Notes on the site before anything is measured (the API's default page size).
SEEDED = 20
#: Where each child's code must come from, relative to its tree.
MODULE_DIRS = {
    "podium": "platform/podium",
    "podium_notes": "plugins/podium_notes/podium_notes",
    "podium_tags": "plugins/podium_tags/podium_tags",
}
NOTES_PATH = "/notes/api/notes"


# the child ---------------------------------------------------------------------------


def _note(n: int, tags: bool, title: str = "Bench note") -> bytes:
    data: dict[str, Any] = {
        "title": f"{title} {n}",
        "body": f"The body of the benchmark's note number {n}. " * 4,
    }
    if tags:
        data["tags"] = ["bench", f"topic{n % 5}"]
    return json.dumps(data).encode()


class Child:
    """One site built in this process and the requests of each scenario."""

    def __init__(self, directory: Path, plugins: str) -> None:
        from webob import Request

        from podium.testing import base_settings, build_app, migrate
        from podium.testing.accounts import make_token, make_user

        self.request_class = Request
        url = f"sqlite:///{directory / 'notes.sqlite'}"
        migrate(url)
        self.app = build_app(base_settings(url, plugins))
        make_user(self.app.registry, "bench", roles=("editor",),
                  permissions=("notes.view", "notes.create", "notes.edit", "notes.delete"))
        token = make_token(self.app.registry, "bench")
        self.headers = {"Authorization": f"Bearer {token}", "Host": "localhost",
                        "Accept": "application/json"}
        self.tags = "tags" in plugins.split()
        ids = [self._id(self._send("create", NOTES_PATH, _note(n, self.tags)))
               for n in range(SEEDED)]
        self.read_path = f"{NOTES_PATH}/{ids[0]}"
        self.update_path = f"{NOTES_PATH}/{ids[1]}"
        self._send("list", NOTES_PATH)
        self.calls: dict[str, Callable[[int], Any]] = {
            "read": lambda n: self._send("read", self.read_path),
            "list": lambda n: self._send("list", NOTES_PATH),
            "update": lambda n: self._send("update", self.update_path,
                                           _note(n, self.tags, "Updated note")),
            "create": lambda n: self._send("create", NOTES_PATH, _note(n, self.tags)),
        }
        # What the start-up made stays: the collector's full passes walk only what
        # the requests make, as in a server process after its start.
        gc.collect()
        gc.freeze()

    def _send(self, scenario: str, path: str, body: bytes | None = None) -> Any:
        method, status = SCENARIOS[scenario]
        if body is None:
            request = self.request_class.blank(path, method=method, headers=self.headers)
        else:
            request = self.request_class.blank(
                path, method=method, body=body,
                headers={**self.headers, "Content-Type": "application/json"})
        response = request.get_response(self.app)
        if response.status_int != status:
            raise RuntimeError(f"{method} {path}: {response.status} (expected {status}): "
                               f"{response.text[:300]}")
        return response

    @staticmethod
    def _id(response: Any) -> int:
        """The new note's id, from the JSON if it has one, else from ``Location``."""
        try:
            return int(response.json["id"])
        except (ValueError, KeyError, TypeError):
            return int(response.location.rstrip("/").rsplit("/", 1)[1])

    def run(self, scenario: str, start: int, count: int) -> float:
        """CPU seconds per request of ``count`` requests of the scenario."""
        call = self.calls[scenario]
        began = time.process_time()
        for n in range(start, start + count):
            call(n)
        return (time.process_time() - began) / count


def modules_of(plugins: str) -> list[str]:
    """The packages a site with these plugins runs (``podium_tags`` only with tags:
    a revision from before the tags plugin has none)."""
    return [name for name in MODULE_DIRS if name != "podium_tags" or "tags" in plugins.split()]


def imported_from(modules: Sequence[str] = tuple(MODULE_DIRS)) -> dict[str, str]:
    """Where this process imports these packages from."""
    import importlib

    return {name: str(Path(importlib.import_module(name).__file__ or "").resolve().parent)
            for name in modules}


def child_main(directory: Path, plugins: str) -> int:
    """Answer the parent's commands: one JSON line in, one JSON line out."""
    # The protocol keeps the real stdout; anything else printed goes to stderr.
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def answer(data: Mapping[str, Any]) -> None:
        protocol.write(json.dumps(data) + "\n")

    try:
        where = imported_from(modules_of(plugins))  # before anything else imports them
        child = Child(directory, plugins)
        answer({"ready": True, "imported_from": where})
    except Exception as exc:  # reported to the parent, which stops
        answer({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            seconds = child.run(command["scenario"], command["start"], command["count"])
            answer({"seconds": seconds})
        except Exception as exc:  # reported; the parent stops
            answer({"error": f"{type(exc).__name__}: {exc}"})
    child.app.registry["podium.engine"].dispose()
    return 0


# the parent --------------------------------------------------------------------------


class ChildError(RuntimeError):
    pass


@dataclass
class Side:
    """A child process: its name (``baseline`` or ``current``), the tree its
    code must come from, its pipes and the file its stderr goes to."""

    name: str
    tree: Path
    process: subprocess.Popen[str]
    log: Path

    def ask(self, command: Mapping[str, Any] | None = None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise ChildError(f"the {self.name} child ended ({self.process.wait()}):\n"
                             f"{self.log.read_text()[-3000:]}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise ChildError(f"the {self.name} child: {reply['error']}\n"
                             f"{self.log.read_text()[-3000:]}")
        return reply

    def run(self, scenario: str, start: int, count: int) -> float:
        return float(self.ask({"cmd": "run", "scenario": scenario, "start": start,
                               "count": count})["seconds"])


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True,
                          text=True, check=True).stdout.strip()


def resolve(revision: str) -> str:
    """The commit ``revision`` names (a clear error if none)."""
    try:
        return git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except subprocess.CalledProcessError:
        raise SystemExit(f"--baseline {revision!r}: no such commit") from None


def export(commit: str, directory: Path) -> None:
    """The commit's tree, as files, in ``directory`` (the repository is not touched)."""
    archive = subprocess.Popen(["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit],
                               stdout=subprocess.PIPE)
    assert archive.stdout is not None
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(directory, filter="tar")
    if archive.wait() != 0:
        raise SystemExit(f"git archive {commit} failed ({archive.returncode})")


def child_environment(tree: Path | None) -> dict[str, str]:
    """The environment as it is, or with ``tree``'s code first on the path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PODIUM_")}
    env["PYTHONHASHSEED"] = "0"
    if tree is not None:
        first = [str(tree / "platform"), str(tree / "plugins" / "podium_notes"),
                 str(tree / "plugins" / "podium_tags")]
        env["PYTHONPATH"] = os.pathsep.join(first + [p for p in [env.get("PYTHONPATH")] if p])
    return env


@contextmanager
def started(name: str, tree: Path, env: Mapping[str, str], workdir: Path,
            plugins: str) -> Iterator[Side]:
    """A child building its site in ``workdir``; stopped when done with."""
    workdir.mkdir()
    log = workdir / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.notes_api", "--child", str(workdir),
             "--plugins", plugins],
            cwd=REPO_ROOT, env=dict(env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr, text=True, bufsize=1)
    side = Side(name, tree, process, log)
    try:
        yield side
    finally:
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                process.stdin.close()
                process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def check_imports(name: str, tree: Path, reported: Mapping[str, str]) -> None:
    """Stop unless the packages a child imported (``reported``) are ``tree``'s."""
    for module in reported:
        expected = (tree / MODULE_DIRS[module]).resolve()
        if Path(reported[module]) != expected:
            raise ChildError(f"the {name} child imported {module} from "
                             f"{reported[module]}, not {expected}")


def measure_variant(sides: Sequence[Side], requests: int, rounds: int, slice_size: int,
                    scenarios: Sequence[str],
                    progress: Callable[[str], None]) -> dict[str, dict[str, float]]:
    """Each scenario: warm-up on both, then interleaved rounds; the best of each,
    and the median of the rounds' ratios (a second opinion on the noise)."""
    results: dict[str, dict[str, float]] = {}
    warm = max(requests // 2, 20)
    for scenario in scenarios:
        for side in sides:
            side.run(scenario, 10**8, warm)
        times: dict[str, list[float]] = {side.name: [] for side in sides}
        for number in range(rounds):
            spent = {side.name: 0.0 for side in sides}
            # Interleaved in slices, alternating who goes first: the other processes'
            # load on the machine, which changes within a second, hits both alike.
            for index, start in enumerate(range(0, requests, slice_size)):
                count = min(slice_size, requests - start)
                order = sides if (number + index) % 2 == 0 else list(reversed(sides))
                for side in order:
                    spent[side.name] += side.run(scenario, number * requests + start,
                                                 count) * count
            for side in sides:
                times[side.name].append(spent[side.name] / requests)
        # The best round of each: what the code costs, with the least of the other
        # processes' interference on a shared machine.
        baseline_ms = min(times["baseline"]) * 1000
        current_ms = min(times["current"]) * 1000
        results[scenario] = {"baseline_ms": round(baseline_ms, 4),
                             "current_ms": round(current_ms, 4),
                             "speed": round(baseline_ms / current_ms, 3),
                             "median_ratio": round(statistics.median(
                                 b / c for b, c in zip(times["baseline"], times["current"],
                                                       strict=True)), 3)}
        row = results[scenario]
        progress(f"{scenario}: {row['baseline_ms']:.3f} ms -> {row['current_ms']:.3f} ms "
                 f"({row['speed']:.3f}x; median of the rounds' ratios {row['median_ratio']:.3f})")
    return results


def measure(baseline: str, requests: int, rounds: int, slice_size: int = 25,
            variants: Sequence[str] = tuple(VARIANTS),
            scenarios: Sequence[str] = tuple(SCENARIOS),
            progress: Callable[[str], None] = lambda line: None) -> dict[str, Any]:
    """The whole comparison: ``{"baseline": ..., "current": ..., "variants": {...}}``."""
    commit = resolve(baseline)
    changed = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
               if line.strip()]
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="notes-api-baseline-") as tree_dir, \
            tempfile.TemporaryDirectory(prefix="notes-api-", dir=shm) as work_dir:
        tree, work = Path(tree_dir), Path(work_dir)
        export(commit, tree)
        trees = {"baseline": tree, "current": REPO_ROOT}
        environments = {"baseline": child_environment(tree), "current": child_environment(None)}
        results: dict[str, Any] = {
            "baseline": {"revision": baseline, "commit": commit},
            "current": {"tree": str(REPO_ROOT), "head": git("rev-parse", "HEAD"),
                        "changed_files": len(changed)},
            "requests": requests, "rounds": rounds, "slice": slice_size, "variants": {},
        }
        for variant in variants:
            progress(f"variant {variant} (plugins: {VARIANTS[variant]})")
            with ExitStack() as stack:
                # Both start (and migrate) at once; nothing is timed until both are ready.
                sides = [stack.enter_context(started(
                    name, trees[name], environments[name], work / f"{variant}-{name}",
                    VARIANTS[variant])) for name in ("baseline", "current")]
                for side in sides:
                    check_imports(side.name, side.tree, side.ask()["imported_from"])
                results["variants"][variant] = measure_variant(
                    sides, requests, rounds, slice_size, scenarios, progress)
    return results


def slow(results: Mapping[str, Any]) -> list[str]:
    """``variant/scenario`` of every targeted scenario below the target."""
    return [f"{variant}/{scenario}" for variant, rows in results["variants"].items()
            for scenario, row in rows.items()
            if scenario in TARGETED and row["speed"] < TARGET]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notes_api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="the git revision to compare the working tree with")
    parser.add_argument("--requests", type=int, default=500, help="per round and side (500)")
    parser.add_argument("--rounds", type=int, default=5, help="(5)")
    parser.add_argument("--slice", type=int, default=25,
                        help="requests a side runs before the other's turn, within a round (25)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of {', '.join(VARIANTS)} (all)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated, of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--json", type=Path, help="also write the results there")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plugins", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.plugins)
    if not args.baseline:
        parser.error("--baseline REV is required")
    variants = [v for v in args.variants.split(",") if v]
    scenarios = [s for s in SCENARIOS if s in args.scenarios.split(",")]
    unknown = (set(variants) - set(VARIANTS)) | (set(args.scenarios.split(",")) - set(SCENARIOS))
    if (unknown or not variants or not scenarios or args.requests < 1 or args.rounds < 1
            or args.slice < 1):
        parser.error(f"bad --variants, --scenarios, --requests, --rounds or --slice "
                     f"{' '.join(sorted(unknown))}")

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    began = time.monotonic()
    try:
        results = measure(args.baseline, args.requests, args.rounds, args.slice, variants,
                          scenarios, progress)
    except ChildError as exc:
        print(exc, file=sys.stderr)
        return 2
    results["seconds"] = round(time.monotonic() - began, 1)
    base, current = results["baseline"], results["current"]
    print(f"baseline: {base['revision']} = {base['commit'][:12]}")
    print(f"current:  {current['tree']}, HEAD {current['head'][:12]} "
          f"+ {current['changed_files']} changed file(s)")
    print(f"{args.requests} requests x {args.rounds} rounds per side in slices of {args.slice}, "
          f"best round, CPU ms per request ({results['seconds']} s)")
    print(f"{'variant':8} {'scenario':8} {'baseline ms':>12} {'current ms':>11} {'speed':>7} "
          f"{'median':>7}")
    for variant, rows in results["variants"].items():
        for scenario, row in rows.items():
            print(f"{variant:8} {scenario:8} {row['baseline_ms']:>12.3f} "
                  f"{row['current_ms']:>11.3f} {row['speed']:>7.3f} {row['median_ratio']:>7.3f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    below = slow(results)
    if below:
        print(f"below {TARGET}x: {', '.join(below)}", file=sys.stderr)
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())

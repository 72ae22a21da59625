"""``python -m bench.health``: ``GET /health`` against the JSON scenario, in process.

Issue 19's target: ``/health`` at least 0.9x the JSON scenario's throughput when
the database is up.  Both run through the whole WSGI app of one Podium site
(the ``bench`` plugin's ``/bench/json`` and the core's ``/health``, on a migrated
SQLite file in ``/dev/shm`` when there is one), in interleaved rounds; the
figure is each path's CPU time per request in its best round (CPU time: the
machine is shared) and ``/health``'s throughput relative to ``/bench/json``'s.
Timing only: tests/functional/test_health.py checks what it answers.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from webob import Request

PATHS = ("/bench/json", "/health")


def _site(directory: Path) -> Any:
    from podium.testing import base_settings, build_app, migrate

    url = f"sqlite:///{directory / 'bench.sqlite'}"
    migrate(url)
    return build_app(base_settings(url, "bench"))


def _round(app: Any, path: str, requests: int) -> float:
    environ = Request.blank(path, headers={"Host": "localhost"}).environ
    started = time.process_time()
    for _ in range(requests):
        response = Request(dict(environ)).get_response(app)
        assert response.status_int == 200, (path, response.status, response.text)
    return (time.process_time() - started) / requests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.health", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=base) as directory:
        app = _site(Path(directory))
        for path in PATHS:
            _round(app, path, 200)  # warm-up: the first probe's full schema check
        best = dict.fromkeys(PATHS, float("inf"))
        for number in range(args.rounds):
            for path in PATHS if number % 2 == 0 else reversed(PATHS):
                best[path] = min(best[path], _round(app, path, args.requests))
        app.registry["podium.engine"].dispose()
    for path in PATHS:
        print(f"{path:12} {best[path] * 1e6:8.1f} us/request (CPU, best of {args.rounds})")
    print(f"/health throughput vs /bench/json: {best['/bench/json'] / best['/health']:.3f}x "
          "(target >= 0.9)")


if __name__ == "__main__":
    main()

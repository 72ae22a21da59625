"""``python -m bench.jsonapi``: the JSON API layer against hand-written views.

The widgets test plugin (``tests/widgets_plugin.py``) declares a create and a
read on the layer (a pydantic ``request_schema`` and ``response_schema``) and
the same two written by hand the way the notes plugin writes them (``json``,
field checks, the ``json`` renderer).  Both run in this process through the
whole WSGI app (routing, the bearer token's lookup, the transaction), on a
SQLite file in ``/dev/shm`` when there is one (so that fsync does not hide
the difference), in interleaved rounds; the figure is the CPU time per
request of each variant's best round (CPU time: the machine is shared) and
the layer's speed relative to the hand-written view's (the target is at
least 0.95).  Timing only: the tests check what they answer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webob import Request

ROOT = Path(__file__).resolve().parents[1]


def _site(directory: Path) -> tuple[Any, dict[str, str]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from widgets_plugin import PERMISSIONS, create_tables, write_widgets

    from podium.testing import base_settings, build_app, migrate
    from podium.testing.accounts import make_token, make_user

    sys.path.insert(0, str(directory / "site"))
    write_widgets(directory / "site")
    url = f"sqlite:///{directory / 'bench.sqlite'}"
    migrate(url)
    app = build_app(base_settings(url, "widgets"))
    create_tables(app.registry["podium.engine"])
    make_user(app.registry, "bench", permissions=PERMISSIONS)
    token = make_token(app.registry, "bench")
    return app, {"Authorization": f"Bearer {token}", "Host": "localhost"}


def _creator(app: Any, headers: dict[str, str], path: str) -> Callable[[int], None]:
    def create(n: int) -> None:
        body = json.dumps({"name": f"{path}-{n}", "tags": ["metal", "small"], "size": 3})
        request = Request.blank(path, method="POST", headers={
            **headers, "Content-Type": "application/json"}, body=body.encode())
        response = request.get_response(app)
        assert response.status_int == 201, response.text

    return create


def _reader(app: Any, headers: dict[str, str], path: str) -> Callable[[int], None]:
    def read(n: int) -> None:
        response = Request.blank(path, headers=headers).get_response(app)
        assert response.status_int == 200, response.text

    return read


def _time(call: Callable[[int], None], start: int, count: int) -> float:
    began = time.process_time()
    for n in range(start, start + count):
        call(n)
    return (time.process_time() - began) / count


def measure(requests: int, rounds: int) -> dict[str, Any]:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        try:
            return _measure(Path(tmp), requests, rounds)
        finally:
            # The plugin's distribution goes with the directory: no later build finds it.
            sys.path.remove(str(Path(tmp) / "site"))


def _measure(directory: Path, requests: int, rounds: int) -> dict[str, Any]:
    app, headers = _site(directory)
    layer_id = json.loads(Request.blank("/widgets/api/widgets", method="POST", headers={
        **headers, "Content-Type": "application/json"},
        body=b'{"name": "read me", "tags": ["a"], "size": 2}').get_response(app).body)["id"]
    pairs = {
        "create": (_creator(app, headers, "/widgets/api/widgets"),
                   _creator(app, headers, "/widgets/raw/widgets")),
        "read": (_reader(app, headers, f"/widgets/api/widgets/{layer_id}"),
                 _reader(app, headers, f"/widgets/raw/widgets/{layer_id}")),
    }
    results: dict[str, Any] = {}
    for name, (layer, raw) in pairs.items():
        _time(layer, 10**8, max(requests // 10, 10))  # warm-up, both
        _time(raw, 2 * 10**8, max(requests // 10, 10))
        layer_times, raw_times = [], []
        for round_number in range(rounds):
            start = round_number * requests
            # Interleaved, alternating who goes first: drift hits both alike.
            if round_number % 2:
                raw_times.append(_time(raw, start, requests))
                layer_times.append(_time(layer, start, requests))
            else:
                layer_times.append(_time(layer, start, requests))
                raw_times.append(_time(raw, start, requests))
        # The best round of each: what the code costs, with the least of the other
        # processes' interference on a shared machine (caches, frequency).
        layer_ms = min(layer_times) * 1000
        raw_ms = min(raw_times) * 1000
        results[name] = {"layer_ms": round(layer_ms, 4), "hand_written_ms": round(raw_ms, 4),
                         "speed": round(raw_ms / layer_ms, 3)}
    app.registry["podium.engine"].dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.jsonapi", description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per round and variant")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results there")
    args = parser.parse_args(argv)
    results = measure(args.requests, args.rounds)
    print(f"{'':8} {'layer ms':>10} {'by hand ms':>11} {'speed':>7}")
    for name, row in results.items():
        print(f"{name:8} {row['layer_ms']:>10.3f} {row['hand_written_ms']:>11.3f} "
              f"{row['speed']:>7.3f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    slow = [name for name, row in results.items() if row["speed"] < 0.95]
    if slow:
        print(f"below 0.95x: {', '.join(slow)}", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())

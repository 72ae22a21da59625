"""Fixtures of the scenario tests: one seeded SQLite file, each app built once."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from webtest import TestApp

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # whatever pytest's import mode
    sys.path.insert(0, str(REPO_ROOT))

from bench.data import seed  # noqa: E402
from bench.distinfo import bench_plugin_paths  # noqa: E402
from bench.peers import CONTENDERS  # noqa: E402


def build_app(name: str, db_url: str, site: Path) -> Any:
    """A contender's WSGI app, as ``python -m bench.serve`` builds it.

    For Podium: PODIUM_* variables are hidden (they would override the
    settings), the ``bench`` plugin is made discoverable for the time of the
    build if ``make install-bench`` has not installed it yet, and the start-up
    schema check of production.ini is off: the tables here are the
    harness's, and the check is the core's to test.
    """
    factory = CONTENDERS[name].load().make_app
    if name != "podium":
        return factory(db_url)
    extra = bench_plugin_paths(site)
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("PODIUM_")]:
            mp.delenv(key)
        for path in reversed(extra):
            mp.syspath_prepend(path)
        return factory(db_url, secret=secrets.token_urlsafe(48),
                       **{"podium.db.require_current": "false"})


@pytest.fixture(scope="session")
def bench_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench-db') / 'bench.sqlite'}"
    seed(url)
    return url


@pytest.fixture(scope="session")
def bench_app(bench_db_url: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], TestApp]]:
    """``bench_app(name)``: a WebTest app of the contender, built once."""
    built: dict[str, Any] = {}
    site = tmp_path_factory.mktemp("bench-site")

    def get(name: str) -> TestApp:
        if name not in built:
            built[name] = build_app(name, bench_db_url, site)
        return TestApp(built[name])

    yield get

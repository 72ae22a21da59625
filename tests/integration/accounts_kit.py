"""What the users and tokens command tests share: a real ini on a real,
migrated database, and ``podium`` run through its ``main()``."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BACKENDS
from sqlalchemy import Engine, create_engine

from podium.cli import main
from podium.testing import temporary_database

ROOT = Path(__file__).resolve().parents[2]
GOOD = "violet staple harbour 7"


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Site:
    ini: str
    url: str
    engine: Engine
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def podium(self, *args: str, stdin: str | None = None) -> Run:
        """``podium ARGS[0] ARGS[1] INI ARGS[2:]`` through ``podium.cli.main``."""
        argv = [*args[:2], self.ini, *args[2:]]
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def ok(self, *args: str, stdin: str | None = None) -> Run:
        run = self.podium(*args, stdin=stdin)
        assert run.code == 0, run.err
        return run


def write_ini(path: Path, url: str) -> str:
    # Cheap argon2 parameters: the cost is the settings' business, tested apart.
    path.write_text(
        f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n"
        f"podium.secret = {'x' * 40}\npodium.plugins = notes\n"
        "podium.passwords.argon2_time_cost = 1\n"
        "podium.passwords.argon2_memory_cost = 1024\n"
        "podium.passwords.argon2_parallelism = 1\n"
        f"[alembic]\nscript_location = {ROOT / 'alembic'}\n")
    return str(path)


@pytest.fixture(params=BACKENDS, name="site")
def site_fixture(request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for name in ("PODIUM_PLUGINS", "PODIUM_DATABASE_URL", "PODIUM_PASSWORDS_MIN_LENGTH"):
        monkeypatch.delenv(name, raising=False)
    with temporary_database(request.param, tmp_path) as url:
        engine = create_engine(url)
        try:
            found = Site(write_ini(tmp_path / "app.ini", url), url, engine, capsys, monkeypatch)
            found.ok("db", "upgrade")
            yield found
        finally:
            engine.dispose()

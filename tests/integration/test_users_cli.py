"""``podium users``: run through ``podium.cli.main`` on a real ini and a real
database (SQLite; PostgreSQL too when PODIUM_TEST_DATABASE_URL is set), and
once as the installed command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from accounts_kit import GOOD, ROOT, site_fixture, write_ini  # noqa: F401 (the fixture "site")
from argon2 import PasswordHasher, extract_parameters
from click.testing import CliRunner
from sqlalchemy import text

from podium.cli import cli


def rows(site, sql: str) -> list[tuple]:
    with site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def users_table(site) -> dict[str, list[str]]:
    header, *lines = site.ok("users", "list").out.splitlines()
    assert header.split() == ["LOGIN", "NAME", "EMAIL", "STATE", "ROLES", "CREATED", "LAST",
                              "LOGIN"]
    return {line.split()[0]: line.split() for line in lines}


def test_the_first_administrator(site):
    assert "no users yet" in site.ok("users", "list").out
    run = site.ok("users", "add", "Admin", "--name", "Ada", "--email", "ada@example.org",
                  "--role", "admin", "--password-stdin", stdin=GOOD + "\n")
    assert "user 'admin' added with role(s) admin" in run.out
    assert GOOD not in run.out + run.err
    [(login, name, email, active, stored)] = rows(
        site, "SELECT login, display_name, email, active, password_hash FROM podium_user")
    assert (login, name, email, bool(active)) == ("admin", "Ada", "ada@example.org", True)
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert extract_parameters(stored).memory_cost == 1024  # the ini's settings
    table = users_table(site)
    assert table["admin"][:5] == ["admin", "Ada", "ada@example.org", "active", "admin"]
    assert table["admin"][-1] == "-"  # never logged in


def test_the_password_from_a_file(site, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(GOOD + "\r\nsecond line ignored\n")
    site.ok("users", "add", "bob", "--password-file", str(secret))
    [(stored,)] = rows(site, "SELECT password_hash FROM podium_user")
    assert PasswordHasher().verify(stored, GOOD)  # the first line, without its \r\n
    missing = site.podium("users", "add", "carol", "--password-file", str(tmp_path / "nope"))
    assert missing.code == 1 and missing.err.strip().startswith("Error: cannot read")
    both = site.podium("users", "add", "carol", "--password-file", str(secret),
                       "--password-stdin", stdin=GOOD)
    assert both.code == 2 and "not both" in both.err
    assert [r[0] for r in rows(site, "SELECT login FROM podium_user")] == ["bob"]


def test_the_password_typed_twice_is_never_echoed(site):
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", site.ini, "dora"],
                           input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert GOOD not in result.output
    mismatch = runner.invoke(cli, ["users", "passwd", site.ini, "dora"],
                             input=f"{GOOD}\nsomething else 99\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output


def one_error(run) -> str:
    assert run.code == 1, run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.err
    return lines[0]


def test_refusals_are_one_error_line_and_write_nothing(site):
    site.ok("users", "add", "alice", "--password-stdin", stdin=GOOD)
    before = rows(site, "SELECT * FROM podium_user")
    cases = [
        (("users", "add", "alice", "--password-stdin"), GOOD, "user 'alice' exists already"),
        (("users", "add", "ALICE", "--password-stdin"), GOOD, "user 'alice' exists already"),
        (("users", "add", "bob", "--password-stdin"), "short", "at least 12"),
        (("users", "add", "bob", "--password-stdin"), "password1234", "most common"),
        (("users", "add", "bob", "--password-stdin"), "", "the password read is empty"),
        (("users", "add", "bad name", "--password-stdin"), GOOD, "login name 'bad name'"),
        (("users", "add", "bob", "--role", "admin", "--role", "Bad Role", "--password-stdin"),
         GOOD, "role name 'Bad Role'"),
        (("users", "passwd", "nobody", "--password-stdin"), GOOD, "no user 'nobody'"),
        (("users", "passwd", "alice", "--password-stdin"), "aaaaaaaaaaaaaaa", "repeats"),
        (("users", "disable", "nobody"), None, "no user 'nobody'"),
        (("users", "grant", "nobody", "admin"), None, "no user 'nobody'"),
        (("users", "revoke", "alice", "admin"), None, "does not have the role 'admin'"),
    ]
    for args, stdin, says in cases:
        line = one_error(site.podium(*args, stdin=stdin))
        assert says in line, (args, line)
    assert rows(site, "SELECT * FROM podium_user") == before
    # Bob's role was refused after bob was added: the whole command rolled back.
    assert rows(site, "SELECT * FROM podium_role") == []


def test_passwd_disable_enable_grant_revoke(site):
    site.ok("users", "add", "alice", "--password-stdin", stdin=GOOD)
    [(old_hash, epoch)] = rows(site, "SELECT password_hash, session_epoch FROM podium_user")
    assert "password of 'alice' changed" in site.ok(
        "users", "passwd", "Alice", "--password-stdin", stdin="a new good secret 5").out
    [(new_hash, new_epoch)] = rows(site, "SELECT password_hash, session_epoch FROM podium_user")
    assert new_hash != old_hash and new_epoch == epoch + 1

    assert "user 'alice' disabled" in site.ok("users", "disable", "alice").out
    assert users_table(site)["alice"][3] == "disabled"
    assert "user 'alice' enabled" in site.ok("users", "enable", "alice").out
    assert users_table(site)["alice"][3] == "active"

    granted = site.ok("users", "grant", "alice", "Editor").out
    assert "role 'editor' created" in granted and "granted role 'editor'" in granted
    assert "already has role 'editor'" in site.ok("users", "grant", "alice", "editor").out
    site.ok("users", "grant", "alice", "admin")
    assert users_table(site)["alice"][4] == "admin,editor"
    assert "role 'editor' revoked from 'alice'" in site.ok(
        "users", "revoke", "alice", "editor").out
    assert users_table(site)["alice"][4] == "admin"


def test_a_database_not_yet_migrated_says_what_to_run(tmp_path, capsys, monkeypatch):
    from accounts_kit import Site

    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    fresh = Site(write_ini(tmp_path / "fresh.ini", url), url, None, capsys, monkeypatch)
    line = one_error(fresh.podium("users", "list"))
    assert "no accounts tables yet: run podium db upgrade" in line
    missing = one_error(Site(str(tmp_path / "none.ini"), url, None, capsys, monkeypatch)
                        .podium("users", "list"))
    assert "does not exist" in missing


def test_the_installed_command(tmp_path):
    """The console script, as an operator runs it, password piped in."""
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    ini = write_ini(tmp_path / "app.ini", url)
    podium = str(Path(sys.executable).with_name("podium"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([podium, *args], input=stdin, capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120)

    assert run("db", "upgrade", ini).returncode == 0
    added = run("users", "add", ini, "root", "--role", "admin", "--password-stdin", stdin=GOOD)
    assert added.returncode == 0, added.stderr
    refused = run("users", "add", ini, "root", "--password-stdin", stdin=GOOD)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == ["Error: user 'root' exists already"]
    listed = run("users", "list", ini)
    assert listed.stdout.splitlines()[1].split()[:5] == ["root", "root", "-", "active", "admin"]

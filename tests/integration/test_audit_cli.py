"""``podium audit`` and the audit entries of ``podium users|tokens``: run
through ``podium.cli.main`` on a real ini and a real database."""

from __future__ import annotations

import getpass

from accounts_kit import GOOD, site_fixture  # noqa: F401 (the fixture "site")
from sqlalchemy import text

from podium.cli import main


def audit(site, *options: str):
    """``podium audit INI OPTIONS`` (the kit puts the ini after two words)."""
    site.capsys.readouterr()
    try:
        code = main(["audit", site.ini, *options])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = site.capsys.readouterr()
    assert code == 0, captured.err
    return captured.out.splitlines()


def entries(site) -> list[tuple]:
    with site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT login, action, target, address FROM podium_audit_log ORDER BY id"))]


def test_account_commands_are_recorded_and_printed(site):
    assert audit(site) == ["no change recorded"]
    site.ok("users", "add", "Ada", "--role", "admin", "--password-stdin", stdin=GOOD + "\n")
    site.ok("users", "add", "ed", "--password-stdin", stdin=GOOD + "\n")
    site.ok("users", "grant", "ed", "editor")
    site.ok("users", "grant", "ed", "editor")  # already had it: nothing changed, no entry
    site.ok("users", "disable", "ed")
    site.ok("users", "enable", "ed")
    site.ok("tokens", "create", "--user", "ada", "--label", "ci")
    who = f"cli:{getpass.getuser()}"
    assert entries(site) == [(who, "user.add", "ada", "local"), (who, "user.add", "ed", "local"),
                             (who, "user.grant", "ed", "local"),
                             (who, "user.disable", "ed", "local"),
                             (who, "user.enable", "ed", "local"),
                             (who, "token.create", "ada", "local")]
    header, *rows = audit(site)
    assert header.split() == ["WHEN", "WHO", "WHAT", "TARGET", "DETAILS", "FROM"]
    assert [row.split()[3] for row in rows] == ["token.create", "user.enable", "user.disable",
                                                "user.grant", "user.add", "user.add"]
    assert "role=editor" in rows[3]
    assert len(audit(site, "--limit", "2")) == 3
    assert audit(site, "--user", "nobody") == ["no change recorded for 'nobody'"]
    assert len(audit(site, "--user", who)) == 7


def test_a_refused_command_records_nothing(site):
    site.ok("users", "add", "ed", "--password-stdin", stdin=GOOD + "\n")
    run = site.podium("users", "revoke", "ed", "editor")
    assert run.code == 1
    run = site.podium("users", "add", "ed", "--password-stdin", stdin=GOOD + "\n")
    assert run.code == 1
    assert [e[1] for e in entries(site)] == ["user.add"]


def test_role_grants_are_recorded(site):
    site.ok("roles", "grant", "editor", "notes.edit_any")
    site.ok("roles", "grant", "editor", "notes.edit_any")  # no change, no entry
    site.ok("roles", "revoke", "editor", "notes.edit_any")
    assert [e[1:3] for e in entries(site)] == [("role.grant", "editor"),
                                               ("role.revoke", "editor")]

"""``podium tokens``: through ``podium.cli.main`` on a real ini and database;
the token printed is checked against the store through the accounts service,
as the security policy will look it up."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from accounts_kit import GOOD, site_fixture  # noqa: F401 (the fixture "site")
from sqlalchemy import text

from podium.accounts import service
from podium.accounts.models import utcnow
from podium.store.sessions import tm_session


def test_create_list_use_revoke(site):
    site.ok("users", "add", "alice", "--password-stdin", stdin=GOOD)
    made = site.ok("tokens", "create", "--user", "Alice", "--expires", "30", "--label", "ci")
    secret = made.out.strip()
    assert made.out.count("\n") == 1 and secret.startswith("pdm_") and len(secret) >= 40
    assert "token 1 for 'alice' created" in made.err and "shown only now" in made.err
    with tm_session(site.engine) as s:
        [token] = service.list_tokens(s, "alice")
        stored, label, expires = token.token_hash, token.label, service.aware(token.expires_at)
    assert stored == hashlib.sha256(secret.encode()).hexdigest() and label == "ci"
    assert abs(expires - (utcnow() + timedelta(days=30))) < timedelta(minutes=5)

    header, row = site.ok("tokens", "list", "--user", "alice").out.splitlines()
    assert header.split() == ["ID", "LABEL", "CREATED", "EXPIRES", "LAST", "USED", "STATE"]
    assert row.split()[:2] == ["1", "ci"] and row.split()[-2:] == ["-", "valid"]
    assert secret not in row

    with tm_session(site.engine) as s:
        assert service.user_for_token(s, secret).login == "alice"
    row = site.ok("tokens", "list", "--user", "alice").out.splitlines()[1]
    assert row.split()[-2] != "-"  # last used: now

    assert "token 1 revoked" in site.ok("tokens", "revoke", "--user", "alice", "1").out
    with tm_session(site.engine) as s:
        assert service.user_for_token(s, secret) is None
    assert "no tokens for 'alice'" in site.ok("tokens", "list", "--user", "alice").out


def test_a_token_without_expiry_and_one_expired(site):
    site.ok("users", "add", "alice", "--password-stdin", stdin=GOOD)
    forever = site.ok("tokens", "create", "--user", "alice")
    assert "expires: never" in forever.err
    site.ok("tokens", "create", "--user", "alice", "--expires", "1")
    with site.engine.begin() as conn:
        conn.execute(text("UPDATE podium_api_token SET expires_at = :t WHERE id = 2"),
                     {"t": utcnow() - timedelta(hours=1)})
    lines = site.ok("tokens", "list", "--user", "alice").out.splitlines()[1:]
    assert [line.split()[-1] for line in lines] == ["valid", "expired"]
    assert lines[0].split()[4] == "-"  # ID LABEL CREATED(date time) EXPIRES


def test_refusals_are_one_error_line(site):
    site.ok("users", "add", "alice", "--password-stdin", stdin=GOOD)
    site.ok("users", "add", "bob", "--password-stdin", stdin="b0b's own secret")
    site.ok("tokens", "create", "--user", "bob")
    cases = [
        (("tokens", "create", "--user", "nobody"), "no user 'nobody'"),
        (("tokens", "revoke", "--user", "alice", "1"), "user 'alice' has no token 1"),
        (("tokens", "list", "--user", "nobody"), "no user 'nobody'"),
    ]
    for args, says in cases:
        run = site.podium(*args)
        assert run.code == 1 and run.err.strip().splitlines() == [f"Error: {run.err.strip()[7:]}"]
        assert says in run.err, run.err
    site.ok("users", "disable", "alice")
    run = site.podium("tokens", "create", "--user", "alice")
    assert run.code == 1 and "disabled" in run.err
    zero = site.podium("tokens", "create", "--user", "bob", "--expires", "0")
    assert zero.code == 2 and "--expires" in zero.err
    with site.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM podium_api_token")).scalar() == 1

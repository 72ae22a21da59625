"""Accounts on a real, migrated database (SQLite, and PostgreSQL when
PODIUM_TEST_DATABASE_URL is set), through podium.accounts.service in
tm_session transactions, as the commands use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from argon2 import extract_parameters
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from podium.accounts import service
from podium.accounts.models import User, utcnow
from podium.accounts.passwords import Passwords
from podium.store.sessions import tm_session

CHEAP = Passwords(min_length=12, time_cost=1, memory_cost=1024, parallelism=1)
GOOD = "violet staple harbour 7"


@pytest.fixture
def engine(empty_database):
    cfg, engine = empty_database
    command.upgrade(cfg, "heads")
    return engine


def test_users_are_unique_by_name_whatever_the_case(engine):
    with tm_session(engine) as s:
        user = service.add_user(s, CHEAP, "Alice", GOOD, display_name="Alice A.",
                                email="alice@example.org")
        assert (user.login, user.display_name, user.active) == ("alice", "Alice A.", True)
    with tm_session(engine) as s, pytest.raises(service.AccountError, match="exists already"):
        service.add_user(s, CHEAP, "ALICE", GOOD)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT login, password_hash FROM podium_user")).all()[0][0] \
            == "alice"
    # The database refuses a duplicate too, not only the service.
    with tm_session(engine) as s, pytest.raises(IntegrityError):
        s.add(User(login="alice", password_hash="x"))
        s.flush()


@pytest.mark.parametrize(("login", "password", "email", "says"), [
    ("bad name", GOOD, None, "login name 'bad name' is not valid"),
    ("", GOOD, None, "login name '' is not valid"),
    ("bob", "short", None, "password refused: the password has 5 characters"),
    ("bob", "password1234", None, "password refused: this password is on the list"),
    ("bob", "bob's long password", None, "contains the login name"),
    ("bob", GOOD, "not-an-address", "e-mail address"),
])
def test_bad_accounts_are_refused_and_nothing_is_written(engine, login, password, email, says):
    with pytest.raises(service.AccountError, match=says), tm_session(engine) as s:
        service.add_user(s, CHEAP, login, password, email=email)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM podium_user")).scalar() == 0


def test_authenticate(engine):
    with tm_session(engine) as s:
        service.add_user(s, CHEAP, "alice", GOOD)
    with tm_session(engine) as s:
        assert service.authenticate(s, CHEAP, "nobody", GOOD) is None
        assert service.authenticate(s, CHEAP, "alice", "wrong password 12") is None
        assert service.find_user(s, "alice").last_login_at is None
        user = service.authenticate(s, CHEAP, "ALICE", GOOD)
        assert user is not None and user.login == "alice"
    with tm_session(engine) as s:
        assert service.find_user(s, "alice").last_login_at is not None
        service.set_active(s, "alice", False)
    with tm_session(engine) as s:
        assert service.authenticate(s, CHEAP, "alice", GOOD) is None  # disabled


def test_a_login_rehashes_when_the_parameters_changed(engine):
    with tm_session(engine) as s:
        old = service.add_user(s, CHEAP, "alice", GOOD).password_hash
    stronger = Passwords(min_length=12, time_cost=2, memory_cost=2048, parallelism=1)
    with tm_session(engine) as s:
        assert service.authenticate(s, stronger, "alice", "wrong password 12") is None
    with tm_session(engine) as s:
        assert service.find_user(s, "alice").password_hash == old
        assert service.authenticate(s, stronger, "alice", GOOD) is not None
    with tm_session(engine) as s:
        new = service.find_user(s, "alice").password_hash
    assert new != old and extract_parameters(new).memory_cost == 2048
    with tm_session(engine) as s:
        assert service.authenticate(s, stronger, "alice", GOOD) is not None
        assert service.find_user(s, "alice").password_hash == new  # no rehash needed now


def test_a_password_change_or_disabling_raises_the_session_epoch(engine):
    with tm_session(engine) as s:
        assert service.add_user(s, CHEAP, "alice", GOOD).session_epoch == 0
    with tm_session(engine) as s:
        assert service.set_password(s, CHEAP, "alice", "another good secret").session_epoch == 1
    with tm_session(engine) as s:
        assert service.authenticate(s, CHEAP, "alice", GOOD) is None
        assert service.authenticate(s, CHEAP, "alice", "another good secret") is not None
        assert service.set_active(s, "alice", False).session_epoch == 2
        assert service.set_active(s, "alice", True).session_epoch == 2


def test_roles(engine):
    with tm_session(engine) as s:
        service.add_user(s, CHEAP, "alice", GOOD)
        _, role, created, granted = service.grant(s, "alice", "Admin")
        assert (role.name, created, granted) == ("admin", True, True)
        assert service.grant(s, "alice", "admin")[2:] == (False, False)
        service.add_user(s, CHEAP, "bob", "bob has a fine secret".replace("bob", "b0b"))
        assert service.grant(s, "bob", "admin")[2:] == (False, True)
    with tm_session(engine) as s:
        assert [(u.login, u.role_names) for u in service.list_users(s)] == [
            ("alice", ["admin"]), ("bob", ["admin"])]
        service.revoke(s, "alice", "admin")
        with pytest.raises(service.AccountError, match="does not have the role 'admin'"):
            service.revoke(s, "alice", "admin")
    with tm_session(engine) as s:
        assert [u.role_names for u in service.list_users(s)] == [[], ["admin"]]


@pytest.mark.parametrize("lookup", [service.user_for_token, service.active_user_for_token],
                         ids=["orm", "snapshot"])
def test_tokens(engine, lookup):
    """Both lookups (the commands' ORM one, the security policy's one statement) agree on
    expiry, last use (at most once a minute), disabled users and revoked tokens."""
    with tm_session(engine) as s:
        service.add_user(s, CHEAP, "alice", GOOD)
        new = service.create_token(s, "alice", expires_days=30, label="ci")
        secret, token_id = new.secret, new.token.id
        old = service.create_token(s, "alice", expires_days=1)
        old.token.expires_at = utcnow() - timedelta(seconds=1)
        old_secret = old.secret
    assert secret.startswith("pdm_") and len(secret) > 40
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM podium_api_token")).scalars().all()
    assert secret not in " ".join(stored) and service.token_digest(secret) in stored
    with tm_session(engine) as s:
        assert lookup(s, secret).login == "alice"
        assert lookup(s, old_secret) is None  # expired
        assert lookup(s, secret[:-1] + "x") is None
        assert lookup(s, "") is None
    with tm_session(engine) as s:
        tokens = service.list_tokens(s, "alice")
        assert tokens[0].last_used_at is not None and tokens[1].last_used_at is None
        first_use = tokens[0].last_used_at
    with tm_session(engine) as s:  # used again at once: not rewritten
        lookup(s, secret)
    with tm_session(engine) as s:
        assert service.list_tokens(s, "alice")[0].last_used_at == first_use
        service.list_tokens(s, "alice")[0].last_used_at = utcnow() - timedelta(minutes=2)
    with tm_session(engine) as s:  # a minute later: recorded
        lookup(s, secret)
    with tm_session(engine) as s:
        assert service.aware(service.list_tokens(s, "alice")[0].last_used_at) > \
            utcnow() - timedelta(seconds=30)
        service.set_active(s, "alice", False)
    with tm_session(engine) as s:
        assert lookup(s, secret) is None  # disabled user
        service.set_active(s, "alice", True)
        service.revoke_token(s, "alice", token_id)
    with tm_session(engine) as s:
        assert lookup(s, secret) is None  # revoked
        with pytest.raises(service.AccountError, match="has no token"):
            service.revoke_token(s, "alice", token_id)
